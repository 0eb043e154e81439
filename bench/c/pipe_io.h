/*
 * What the Windows named-pipe bench clients share (pipe_bench_client.c, pipe_push.c,
 * pipe_probe_client.c): opening a message-type pipe as the sample's client does, and reading one
 * whole message.
 */
#ifndef PIPE_IO_H
#define PIPE_IO_H

#include <windows.h>

/* Opens the pipe, waiting while every instance is busy, in message read mode; INVALID_HANDLE_VALUE
   if that failed (GetLastError() says why). */
static HANDLE OpenMessagePipe(LPCTSTR pipeName)
{
    DWORD mode = PIPE_READMODE_MESSAGE;
    HANDLE h;
    for (;;) {
        h = CreateFile(pipeName, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
        if (h != INVALID_HANDLE_VALUE || GetLastError() != ERROR_PIPE_BUSY || !WaitNamedPipe(pipeName, 20000))
            break;
    }
    if (h != INVALID_HANDLE_VALUE && !SetNamedPipeHandleState(h, &mode, NULL, NULL)) {
        DWORD error = GetLastError();
        CloseHandle(h);
        SetLastError(error);
        return INVALID_HANDLE_VALUE;
    }
    return h;
}

/* Reads one whole message, however many reads it takes (ERROR_MORE_DATA says it continues);
   its length in *length. -1 if a read failed. */
static int ReadMessage(HANDLE h, BYTE *buffer, DWORD capacity, DWORD *length)
{
    DWORD n;
    BOOL ok;
    *length = 0;
    do {
        ok = ReadFile(h, buffer, capacity, &n, NULL);
        if (!ok && GetLastError() != ERROR_MORE_DATA)
            return -1;
        *length += n;
    } while (!ok);
    return 0;
}

#endif
