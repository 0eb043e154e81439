/*
 * The request-count probe's client (bench/wine_requests.sh): one connection, driven in phases
 * so that the probe can mark the wineserver's trace between them without the client connecting
 * again. A new connection takes the server through its accept path, which, early in a JVM's
 * life, sets its JIT compiling again; marks inside one connection count messages only.
 *
 *   pipe-probe-client.exe NAME rt|push SIZE COUNT...
 *
 * For phase k (0, 1, ...) it waits until a file go-k exists in the current directory, then makes
 * COUNT[k] round trips of SIZE-byte messages (rt: write one, read the whole reply, as
 * pipe_bench_client.c does) or asks for COUNT[k] pushed messages of SIZE bytes (push: the
 * pipe_push.c protocol, "COUNT SIZE", then read them all), then creates done-k. It exits after
 * the last phase, once go-N (N: the number of phases) exists too, so that its leaving is not
 * counted in the last phase. Errors go to stdout and end the program with status 1.
 *
 * Build: x86_64-w64-mingw32-gcc -municode -DUNICODE -D_UNICODE @pipe-it/src/test/c/cflags.rsp \
 *          -o pipe-probe-client.exe pipe_probe_client.c
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tchar.h>
#include <strsafe.h>
#include "pipe_io.h"

static void Signal(LPCTSTR prefix, int phase, BOOL wait)
{
    TCHAR file[64];
    StringCchPrintf(file, 64, TEXT("%ls-%d"), prefix, phase);
    if (wait) {
        while (GetFileAttributes(file) == INVALID_FILE_ATTRIBUTES)
            Sleep(5);
    } else {
        HANDLE h = CreateFile(file, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
        if (h != INVALID_HANDLE_VALUE)
            CloseHandle(h);
    }
}

int _tmain(int argc, TCHAR *argv[])
{
    TCHAR pipeName[256];
    HANDLE h;
    DWORD n, got;
    if (argc < 5 || (_tcscmp(argv[2], TEXT("rt")) != 0 && _tcscmp(argv[2], TEXT("push")) != 0)) {
        _tprintf(TEXT("usage: pipe-probe-client.exe NAME rt|push SIZE COUNT...\n"));
        return 2;
    }
    BOOL push = _tcscmp(argv[2], TEXT("push")) == 0;
    int size = _ttoi(argv[3]);
    BYTE *message = calloc((size_t) size + 1, 1), *reply = malloc(65536);
    for (int i = 0; i + 1 < size; i += 2)
        message[i] = 'x'; /* UTF-16LE 'x's ending in NUL, as the sample's client sends */
    StringCchPrintf(pipeName, 256, TEXT("\\\\.\\pipe\\%ls"), argv[1]);
    h = OpenMessagePipe(pipeName);
    if (h == INVALID_HANDLE_VALUE) {
        _tprintf(TEXT("connect failed with %lu.\n"), GetLastError());
        return 1;
    }
    for (int phase = 0; phase + 4 < argc; phase++) {
        int count = _ttoi(argv[phase + 4]);
        Signal(TEXT("go"), phase, TRUE);
        if (push) {
            char request[64];
            int length = snprintf(request, sizeof request, "%d %d", count, size);
            if (!WriteFile(h, request, (DWORD) length, &n, NULL)) {
                _tprintf(TEXT("WriteFile failed with %lu.\n"), GetLastError());
                return 1;
            }
        }
        for (int i = 0; i < count; i++) {
            if (!push && (!WriteFile(h, message, (DWORD) size, &n, NULL) || n != (DWORD) size)) {
                _tprintf(TEXT("WriteFile failed with %lu at message %d of phase %d.\n"), GetLastError(), i, phase);
                return 1;
            }
            if (ReadMessage(h, reply, 65536, &got) != 0 || (push && got != (DWORD) size)) { /* the sample answers with its own reply */
                _tprintf(TEXT("reading message %d of phase %d failed (%lu, %lu bytes).\n"), i, phase, GetLastError(), got);
                return 1;
            }
        }
        Signal(TEXT("done"), phase, FALSE);
    }
    Signal(TEXT("go"), argc - 4, TRUE); /* leave only once the last phase is counted */
    _tprintf(TEXT("phases done\n"));
    CloseHandle(h);
    free(message);
    free(reply);
    return 0;
}
