/*
 * Stream throughput over a byte-type named pipe, both ends in one program: the Windows twin of
 * bench/c/uds_stream.c, with the same commands ('U' or 'D' and an 8-byte big-endian COUNT).
 *
 *   pipe-stream.exe server NAME [BUFFER]
 *                                      serve clients one after another on \\.\pipe\NAME, with
 *                                      pipe buffers of BUFFER bytes (default 64 KiB)
 *   pipe-stream.exe client NAME U|D COUNT [WARM TIMED [CALL]]
 *                                      upload or download COUNT bytes in calls of CALL bytes
 *                                      (default 64 KiB; the server's are 64 KiB), timed
 *                                      from the command to the last byte, WARM times untimed
 *                                      (default 1) and TIMED times timed (default 5, at most 64);
 *                                      prints one JSON object with the median
 *
 * Build: x86_64-w64-mingw32-gcc -municode -DUNICODE -D_UNICODE @pipe-it/src/test/c/cflags.rsp \
 *          -o pipe-stream.exe pipe_stream.c
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <tchar.h>
#include <strsafe.h>

#include "stream_command.h"

#define CHUNK (64 * 1024)

static BOOL ioAll(HANDLE pipe, BYTE *buf, DWORD len, BOOL writing)
{
    while (len > 0) {
        DWORD n = 0;
        BOOL ok = writing ? WriteFile(pipe, buf, len, &n, NULL) : ReadFile(pipe, buf, len, &n, NULL);
        if (!ok || n == 0)
            return FALSE;
        buf += n;
        len -= n;
    }
    return TRUE;
}

static BOOL transfer(HANDLE pipe, BYTE *chunk, DWORD call, ULONGLONG count, BOOL writing)
{
    while (count > 0) {
        DWORD len = count < call ? (DWORD) count : call, n = 0;
        BOOL ok = writing ? WriteFile(pipe, chunk, len, &n, NULL) : ReadFile(pipe, chunk, len, &n, NULL);
        if (!ok || n == 0)
            return FALSE;
        count -= n;
    }
    return TRUE;
}

static int serve(const TCHAR *pipeName, DWORD buffer)
{
    static BYTE chunk[CHUNK];
    memset(chunk, 'x', sizeof chunk);
    BOOL announced = FALSE;
    for (;;) {
        HANDLE pipe = CreateNamedPipe(pipeName, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT,
                1, buffer, buffer, 0, NULL);
        if (pipe == INVALID_HANDLE_VALUE) {
            _tprintf(TEXT("CreateNamedPipe failed with %lu.\n"), GetLastError());
            return 1;
        }
        if (!announced) {
            _tprintf(TEXT("listening on %ls\n"), pipeName);
            fflush(stdout);
            announced = TRUE;
        }
        if (ConnectNamedPipe(pipe, NULL) || GetLastError() == ERROR_PIPE_CONNECTED) {
            BYTE command[STREAM_COMMAND_SIZE];
            while (ioAll(pipe, command, sizeof command, FALSE)) {
                if (command[0] == 'U') {
                    BYTE done = 'k';
                    if (!transfer(pipe, chunk, CHUNK, countOf(command), FALSE) || !ioAll(pipe, &done, 1, TRUE))
                        break;
                } else if (!transfer(pipe, chunk, CHUNK, countOf(command), TRUE)) {
                    break;
                }
            }
            FlushFileBuffers(pipe);
            DisconnectNamedPipe(pipe);
        }
        CloseHandle(pipe);
    }
}

static double timed(HANDLE pipe, BYTE *chunk, DWORD call, char direction, ULONGLONG count)
{
    BYTE command[STREAM_COMMAND_SIZE];
    commandFor(command, direction, count);
    LARGE_INTEGER frequency, started, ended;
    QueryPerformanceFrequency(&frequency);
    QueryPerformanceCounter(&started);
    if (!ioAll(pipe, command, sizeof command, TRUE))
        return -1;
    if (direction == 'U') {
        BYTE done;
        if (!transfer(pipe, chunk, call, count, TRUE) || !ioAll(pipe, &done, 1, FALSE))
            return -1;
    } else if (!transfer(pipe, chunk, call, count, FALSE)) {
        return -1;
    }
    QueryPerformanceCounter(&ended);
    return (double) (ended.QuadPart - started.QuadPart) / (double) frequency.QuadPart;
}

int _tmain(int argc, TCHAR *argv[])
{
    TCHAR pipeName[256];
    if ((argc == 3 || argc == 4) && _tcscmp(argv[1], TEXT("server")) == 0) {
        StringCchPrintf(pipeName, 256, TEXT("\\\\.\\pipe\\%ls"), argv[2]);
        return serve(pipeName, argc == 4 ? (DWORD) _ttoi(argv[3]) : CHUNK);
    }
    int warm = argc >= 7 ? _ttoi(argv[5]) : 1, timedRuns = argc >= 7 ? _ttoi(argv[6]) : 5;
    int call = argc == 8 ? _ttoi(argv[7]) : CHUNK;
    if ((argc != 5 && argc != 7 && argc != 8) || call < 1 || call > MAX_CALL || _tcscmp(argv[1], TEXT("client")) != 0 || (argv[3][0] != 'U' && argv[3][0] != 'D')
        || warm < 0 || timedRuns < 1 || timedRuns > MAX_TIMED) {
        _tprintf(TEXT("usage: pipe-stream.exe server NAME [BUFFER] | client NAME U|D COUNT [WARM TIMED [CALL]]\n"));
        return 2;
    }
    StringCchPrintf(pipeName, 256, TEXT("\\\\.\\pipe\\%ls"), argv[2]);
    HANDLE pipe;
    int attempts = 0;
    for (;;) {
        pipe = CreateFile(pipeName, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
        if (pipe != INVALID_HANDLE_VALUE)
            break;
        DWORD error = GetLastError();
        if (error == ERROR_FILE_NOT_FOUND && attempts++ < 500) {
            Sleep(10); /* the one-instance server is between two clients */
            continue;
        }
        if (error != ERROR_PIPE_BUSY || !WaitNamedPipe(pipeName, 20000)) {
            _tprintf(TEXT("cannot connect (%lu).\n"), error);
            return 1;
        }
    }
    BYTE *chunk = malloc(call);
    if (chunk == NULL)
        return 1;
    memset(chunk, 'x', call);
    ULONGLONG count = _tcstoui64(argv[4], NULL, 10);
    char direction = (char) argv[3][0];
    double runs[MAX_TIMED];
    for (int i = -warm; i < timedRuns; i++) {
        double seconds = timed(pipe, chunk, (DWORD) call, direction, count);
        if (seconds < 0) {
            _tprintf(TEXT("transfer failed (%lu).\n"), GetLastError());
            return 1;
        }
        if (i >= 0)
            runs[i] = seconds;
    }
    reportMedian(direction, count, call, runs, timedRuns);
    CloseHandle(pipe);
    free(chunk);
    return 0;
}
