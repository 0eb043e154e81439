/*
 * A named pipe client in the style of Microsoft's "Named Pipe Client" sample,
 * written for pipekit's test bed: it opens the pipe (retrying with
 * WaitNamedPipe while every instance is busy), switches to message read mode,
 * writes one NUL-terminated UTF-16LE message and reads the whole reply,
 * however many ReadFile calls ERROR_MORE_DATA takes.
 *
 * Usage: sample-client.exe [pipe name] [message]
 *   defaults: "mynamedpipe" and "Default message from client."
 * Prints "reply: <text>" and exits 0 on success; prints the failing call and
 * its Win32 error code and exits non-zero otherwise.
 *
 * Build: x86_64-w64-mingw32-gcc -municode -DUNICODE -D_UNICODE @cflags.rsp \
 *          -o sample-client.exe sample_client.c
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>  /* realloc, free */
#include <string.h>  /* memcpy */
#include <tchar.h>
#include <strsafe.h>

#define BUFSIZE 512

int _tmain(int argc, TCHAR *argv[])
{
    HANDLE hPipe;
    TCHAR pipeName[256];
    LPCTSTR lpvMessage = argc > 2 ? argv[2] : TEXT("Default message from client.");
    TCHAR chBuf[BUFSIZE];
    TCHAR *reply = NULL;
    DWORD replyBytes = 0, cbRead, cbToWrite, cbWritten, dwMode;
    BOOL fSuccess;

    StringCchPrintf(pipeName, 256, TEXT("\\\\.\\pipe\\%ls"), argc > 1 ? argv[1] : TEXT("mynamedpipe"));

    for (;;) {
        hPipe = CreateFile(pipeName, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
        if (hPipe != INVALID_HANDLE_VALUE)
            break;
        if (GetLastError() != ERROR_PIPE_BUSY) {
            _tprintf(TEXT("CreateFile failed with %lu.\n"), GetLastError());
            return 2;
        }
        /* Every instance is busy: wait up to 20 seconds for one to free up. */
        if (!WaitNamedPipe(pipeName, 20000)) {
            _tprintf(TEXT("WaitNamedPipe timed out (%lu).\n"), GetLastError());
            return 3;
        }
    }

    dwMode = PIPE_READMODE_MESSAGE;
    if (!SetNamedPipeHandleState(hPipe, &dwMode, NULL, NULL)) {
        _tprintf(TEXT("SetNamedPipeHandleState failed with %lu.\n"), GetLastError());
        return 4;
    }

    cbToWrite = (lstrlen(lpvMessage) + 1) * sizeof(TCHAR);
    if (!WriteFile(hPipe, lpvMessage, cbToWrite, &cbWritten, NULL) || cbWritten != cbToWrite) {
        _tprintf(TEXT("WriteFile failed with %lu.\n"), GetLastError());
        return 5;
    }

    /* One message may take several reads: ERROR_MORE_DATA says it continues. */
    do {
        fSuccess = ReadFile(hPipe, chBuf, BUFSIZE * sizeof(TCHAR), &cbRead, NULL);
        if (!fSuccess && GetLastError() != ERROR_MORE_DATA)
            break;
        reply = (TCHAR *) realloc(reply, replyBytes + cbRead + sizeof(TCHAR));
        memcpy((char *) reply + replyBytes, chBuf, cbRead);
        replyBytes += cbRead;
    } while (!fSuccess);

    if (!fSuccess) {
        _tprintf(TEXT("ReadFile failed with %lu.\n"), GetLastError());
        return 6;
    }
    reply[replyBytes / sizeof(TCHAR)] = 0; /* in case the server forgot its NUL */
    _tprintf(TEXT("reply: %ls\n"), reply);
    free(reply);
    CloseHandle(hPipe);
    return 0;
}
