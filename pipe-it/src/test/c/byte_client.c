/*
 * A byte-mode named pipe client: it connects (retrying with WaitNamedPipe while every instance
 * is busy), checks with GetNamedPipeInfo that the pipe is byte-type, and leaves the handle in
 * byte read mode, as clients of byte-type pipes do. It then sends COUNT pseudo-random bytes
 * (from SEED) in 4 KiB writes and reads back the same number of bytes after each write, as an
 * echo returns them however its reads and writes are cut, and checks every byte.
 *
 * Usage: byte-client.exe <pipe name> <count> <seed>
 * Prints "byte-type pipe", then "echoed <count> bytes" and exits 0; on a mismatch or failure it
 * prints what went wrong and exits non-zero.
 *
 * Build: x86_64-w64-mingw32-gcc -municode -DUNICODE -D_UNICODE @cflags.rsp \
 *          -o byte-client.exe byte_client.c
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>  /* _wtoi */
#include <tchar.h>
#include <strsafe.h>

#define CHUNK 4096

/* xorshift32: the same bytes on both sides of a test from the same seed. */
static unsigned next(unsigned *state)
{
    unsigned x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

int _tmain(int argc, TCHAR *argv[])
{
    if (argc != 4) {
        _tprintf(TEXT("usage: byte-client.exe <pipe name> <count> <seed>\n"));
        return 2;
    }
    TCHAR pipeName[256];
    StringCchPrintf(pipeName, 256, TEXT("\\\\.\\pipe\\%ls"), argv[1]);
    long count = _ttol(argv[2]);
    unsigned sendState = (unsigned) _ttol(argv[3]) | 1, checkState = sendState;

    HANDLE pipe;
    for (;;) {
        pipe = CreateFile(pipeName, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
        if (pipe != INVALID_HANDLE_VALUE)
            break;
        if (GetLastError() != ERROR_PIPE_BUSY) {
            _tprintf(TEXT("CreateFile failed with %lu.\n"), GetLastError());
            return 3;
        }
        if (!WaitNamedPipe(pipeName, 20000)) {
            _tprintf(TEXT("WaitNamedPipe timed out (%lu).\n"), GetLastError());
            return 3;
        }
    }
    DWORD flags = 0;
    if (!GetNamedPipeInfo(pipe, &flags, NULL, NULL, NULL)) {
        _tprintf(TEXT("GetNamedPipeInfo failed with %lu.\n"), GetLastError());
        return 4;
    }
    if (flags & PIPE_TYPE_MESSAGE) {
        _tprintf(TEXT("message-type pipe: expected a byte-type one\n"));
        return 4;
    }
    _tprintf(TEXT("byte-type pipe\n"));
    fflush(stdout);

    BYTE out[CHUNK], in[CHUNK];
    for (long done = 0; done < count; ) {
        DWORD len = (DWORD) (count - done < CHUNK ? count - done : CHUNK);
        for (DWORD i = 0; i < len; i++)
            out[i] = (BYTE) next(&sendState);
        DWORD written = 0;
        if (!WriteFile(pipe, out, len, &written, NULL) || written != len) {
            _tprintf(TEXT("WriteFile failed with %lu.\n"), GetLastError());
            return 5;
        }
        for (DWORD got = 0; got < len; ) {
            DWORD n = 0;
            if (!ReadFile(pipe, in, len - got, &n, NULL) || n == 0) {
                _tprintf(TEXT("ReadFile failed with %lu after %ld bytes.\n"), GetLastError(), done + (long) got);
                return 6;
            }
            for (DWORD i = 0; i < n; i++) {
                if (in[i] != (BYTE) next(&checkState)) {
                    _tprintf(TEXT("byte %ld differs\n"), done + (long) got + (long) i);
                    return 7;
                }
            }
            got += n;
        }
        done += len;
    }
    _tprintf(TEXT("echoed %ld bytes\n"), count);
    fflush(stdout);
    CloseHandle(pipe);
    return 0;
}
