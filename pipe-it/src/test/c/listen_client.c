/*
 * A named pipe client that only listens: it connects as Microsoft's client sample does (retrying
 * with WaitNamedPipe while every instance is busy), switches to message read mode, sends nothing,
 * and prints each whole message the server pushes, NUL-terminated UTF-16LE text, however many
 * ReadFile calls ERROR_MORE_DATA takes.
 *
 * Usage: listen-client.exe [pipe name] [count]
 *   defaults: "mynamedpipe" and 1
 * Prints "listening on <name>", then "message: <text>" per message, and exits 0 after <count>
 * messages; prints the failing call and its Win32 error code and exits non-zero otherwise.
 *
 * Build: x86_64-w64-mingw32-gcc -municode -DUNICODE -D_UNICODE @cflags.rsp \
 *          -o listen-client.exe listen_client.c
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>  /* realloc, free, _wtoi */
#include <string.h>  /* memcpy */
#include <tchar.h>
#include <strsafe.h>

#define BUFSIZE 512

int _tmain(int argc, TCHAR *argv[])
{
    HANDLE hPipe;
    TCHAR pipeName[256];
    TCHAR chBuf[BUFSIZE];
    DWORD cbRead, dwMode;
    BOOL fSuccess;
    int count = argc > 2 ? _ttoi(argv[2]) : 1;

    StringCchPrintf(pipeName, 256, TEXT("\\\\.\\pipe\\%ls"), argc > 1 ? argv[1] : TEXT("mynamedpipe"));

    for (;;) {
        hPipe = CreateFile(pipeName, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
        if (hPipe != INVALID_HANDLE_VALUE)
            break;
        if (GetLastError() != ERROR_PIPE_BUSY) {
            _tprintf(TEXT("CreateFile failed with %lu.\n"), GetLastError());
            return 2;
        }
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
    _tprintf(TEXT("listening on %ls\n"), pipeName);
    fflush(stdout);

    for (int received = 0; received < count; received++) {
        TCHAR *message = NULL;
        DWORD messageBytes = 0;
        /* One message may take several reads: ERROR_MORE_DATA says it continues. */
        do {
            fSuccess = ReadFile(hPipe, chBuf, BUFSIZE * sizeof(TCHAR), &cbRead, NULL);
            if (!fSuccess && GetLastError() != ERROR_MORE_DATA)
                break;
            message = (TCHAR *) realloc(message, messageBytes + cbRead + sizeof(TCHAR));
            memcpy((char *) message + messageBytes, chBuf, cbRead);
            messageBytes += cbRead;
        } while (!fSuccess);

        if (!fSuccess) {
            _tprintf(TEXT("ReadFile failed with %lu.\n"), GetLastError());
            free(message);
            return 6;
        }
        message[messageBytes / sizeof(TCHAR)] = 0; /* in case the server sent no NUL */
        _tprintf(TEXT("message: %ls\n"), message);
        fflush(stdout);
        free(message);
    }
    CloseHandle(hPipe);
    return 0;
}
