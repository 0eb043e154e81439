/*
 * A named pipe server that accepts one client and never reads from it: the pipe is created with
 * nInBufferSize = 0, so a client's write completes only when the server reads, and this server
 * never calls ReadFile. A client without a send deadline waits forever (pipekit's defect 11).
 *
 * Usage: never-read-server.exe [pipe name]
 *   default: "mynamedpipe"
 * Prints "waiting on <name>" once the pipe exists, "client connected" once a client has
 * connected, then sleeps until killed. Prints the failing call and its Win32 error code and exits
 * non-zero otherwise.
 *
 * Build: x86_64-w64-mingw32-gcc -municode -DUNICODE -D_UNICODE -O2 -std=gnu2x -Wall -Wextra -Werror \
 *          -o never-read-server.exe never_read_server.c
 */
#include <windows.h>
#include <stdio.h>
#include <tchar.h>
#include <strsafe.h>

int _tmain(int argc, TCHAR *argv[])
{
    TCHAR pipeName[256];
    HANDLE hPipe;

    StringCchPrintf(pipeName, 256, TEXT("\\\\.\\pipe\\%ls"), argc > 1 ? argv[1] : TEXT("mynamedpipe"));

    hPipe = CreateNamedPipe(pipeName, PIPE_ACCESS_DUPLEX,
                            PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_WAIT,
                            1,     /* one instance */
                            4096,  /* out buffer */
                            0,     /* in buffer: a client's write waits for a ReadFile that never comes */
                            0, NULL);
    if (hPipe == INVALID_HANDLE_VALUE) {
        _tprintf(TEXT("CreateNamedPipe failed with %lu.\n"), GetLastError());
        return 2;
    }
    _tprintf(TEXT("waiting on %ls\n"), pipeName);
    fflush(stdout);

    if (!ConnectNamedPipe(hPipe, NULL) && GetLastError() != ERROR_PIPE_CONNECTED) {
        _tprintf(TEXT("ConnectNamedPipe failed with %lu.\n"), GetLastError());
        CloseHandle(hPipe);
        return 3;
    }
    _tprintf(TEXT("client connected\n"));
    fflush(stdout);

    for (;;) {
        Sleep(INFINITE); /* never reads; the test ends this process by its handle */
    }
}
