/*
 * Server push over a Windows message-type named pipe, both ends in one program.
 *
 *   pipe-push.exe server NAME            serve \\.\pipe\NAME, one client at a time: for each
 *                                        message "COUNT SIZE" it reads, write COUNT messages of
 *                                        SIZE bytes as fast as the pipe takes them
 *   pipe-push.exe server-ex NAME         the same with an overlapped handle, each message written
 *                                        by WriteFileEx, the next from its completion routine,
 *                                        run by an alertable SleepEx (pipekit's design, in C)
 *   pipe-push.exe server-ovl NAME        the same with an overlapped handle, each message written
 *                                        by WriteFile with an OVERLAPPED: no routine when it
 *                                        completes at once, a wait on its event when pending
 *   pipe-push.exe client NAME COUNT SIZE ask for COUNT messages of SIZE bytes and time them from
 *                                        the request to the last one; prints one JSON object
 *
 * The client is pointed at this C server and at pipekit's (bench/java/PushServer.java) under
 * Wine: the same client measures both.
 * Build: x86_64-w64-mingw32-gcc -municode -DUNICODE -D_UNICODE @pipe-it/src/test/c/cflags.rsp \
 *          -o pipe-push.exe pipe_push.c
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tchar.h>
#include <strsafe.h>
#include "pipe_io.h"

/* How the server writes its messages: */
enum WriteKind { BLOCKING, ROUTINE, OVERLAPPED_EVENT };

static struct {
    HANDLE h;
    BYTE *message;
    DWORD size;
    int left;
    OVERLAPPED ov;
    BOOL failed;
} chain;

static VOID WINAPI Written(DWORD error, DWORD n, LPOVERLAPPED ov)
{
    (void) ov;
    if (error != 0 || n != chain.size) {
        chain.failed = TRUE;
        return;
    }
    if (--chain.left > 0 && !WriteFileEx(chain.h, chain.message, chain.size, &chain.ov, Written))
        chain.failed = TRUE;
}

/* Writes count messages of size bytes the way kind says; FALSE if a write failed. */
static BOOL WriteAll(HANDLE h, enum WriteKind kind, BYTE *message, int count, int size, HANDLE event)
{
    DWORD n;
    if (kind == BLOCKING) {
        for (int i = 0; i < count; i++)
            if (!WriteFile(h, message, (DWORD) size, &n, NULL))
                return FALSE;
    } else if (kind == ROUTINE) {
        chain.h = h, chain.message = message, chain.size = (DWORD) size, chain.left = count, chain.failed = FALSE;
        ZeroMemory(&chain.ov, sizeof chain.ov);
        if (!WriteFileEx(h, message, (DWORD) size, &chain.ov, Written))
            return FALSE;
        while (chain.left > 0 && !chain.failed)
            SleepEx(INFINITE, TRUE);
        return !chain.failed;
    } else {
        for (int i = 0; i < count; i++) {
            OVERLAPPED ov = {0};
            ov.hEvent = event;
            if (!WriteFile(h, message, (DWORD) size, &n, &ov)
                    && (GetLastError() != ERROR_IO_PENDING || !GetOverlappedResult(h, &ov, &n, TRUE)))
                return FALSE;
        }
    }
    return TRUE;
}

/* Reads one request; overlapped handles need an OVERLAPPED even to block. */
static BOOL ReadRequest(HANDLE h, enum WriteKind kind, char *request, DWORD capacity, DWORD *n, HANDLE event)
{
    if (kind == BLOCKING)
        return ReadFile(h, request, capacity, n, NULL);
    OVERLAPPED ov = {0};
    ov.hEvent = event;
    return ReadFile(h, request, capacity, n, &ov)
        || (GetLastError() == ERROR_IO_PENDING && GetOverlappedResult(h, &ov, n, TRUE));
}

static int Serve(LPCTSTR pipeName, enum WriteKind kind)
{
    HANDLE event = CreateEvent(NULL, TRUE, FALSE, NULL);
    for (BOOL first = TRUE;; first = FALSE) {
        HANDLE h = CreateNamedPipe(pipeName, PIPE_ACCESS_DUPLEX | (kind == BLOCKING ? 0 : FILE_FLAG_OVERLAPPED), PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_WAIT,
                                   PIPE_UNLIMITED_INSTANCES, 65536, 65536, 5000, NULL);
        char request[64];
        DWORD n;
        int count, size;
        if (h == INVALID_HANDLE_VALUE) {
            _tprintf(TEXT("CreateNamedPipe failed with %lu.\n"), GetLastError());
            return 1;
        }
        if (first) { /* only now can a client find the pipe */
            _tprintf(TEXT("listening on %ls\n"), pipeName);
            fflush(stdout);
        }
        OVERLAPPED connect = {0};
        connect.hEvent = event;
        if (ConnectNamedPipe(h, kind == BLOCKING ? NULL : &connect) || GetLastError() == ERROR_PIPE_CONNECTED
                || (GetLastError() == ERROR_IO_PENDING && GetOverlappedResult(h, &connect, &n, TRUE))) {
            /* Every request on the connection is answered, until the client leaves. */
            while (ReadRequest(h, kind, request, sizeof request - 1, &n, event)) {
                request[n] = 0;
                if (sscanf(request, "%d %d", &count, &size) == 2 && count > 0 && size >= 0) {
                    BYTE *message = calloc((size_t) size + 1, 1);
                    WriteAll(h, kind, message, count, size, event);
                    free(message);
                }
            }
        }
        DisconnectNamedPipe(h);
        CloseHandle(h);
    }
}

static int Receive(LPCTSTR pipeName, int count, int size)
{
    DWORD n;
    char request[64];
    BYTE *buffer = malloc(65536);
    LARGE_INTEGER frequency, started, ended;
    HANDLE h = OpenMessagePipe(pipeName);
    if (h == INVALID_HANDLE_VALUE) {
        _tprintf(TEXT("connect failed with %lu.\n"), GetLastError());
        return 1;
    }
    int length = snprintf(request, sizeof request, "%d %d", count, size);
    QueryPerformanceFrequency(&frequency);
    QueryPerformanceCounter(&started);
    if (!WriteFile(h, request, (DWORD) length, &n, NULL)) {
        _tprintf(TEXT("WriteFile failed with %lu.\n"), GetLastError());
        return 1;
    }
    for (int i = 0; i < count; i++) {
        DWORD got;
        if (ReadMessage(h, buffer, 65536, &got) != 0) {
            _tprintf(TEXT("ReadFile failed with %lu at message %d.\n"), GetLastError(), i);
            return 1;
        }
        if (got != (DWORD) size) {
            _tprintf(TEXT("message %d has %lu bytes, not %d.\n"), i, got, size);
            return 1;
        }
    }
    QueryPerformanceCounter(&ended);
    double seconds = (double) (ended.QuadPart - started.QuadPart) / (double) frequency.QuadPart;
    printf("{\"messages\":%d,\"messageBytes\":%d,\"seconds\":%.6f,\"messagesPerSecond\":%.1f}\n",
           count, size, seconds, count / seconds);
    CloseHandle(h);
    free(buffer);
    return 0;
}

int _tmain(int argc, TCHAR *argv[])
{
    TCHAR pipeName[256];
    if (argc >= 3)
        StringCchPrintf(pipeName, 256, TEXT("\\\\.\\pipe\\%ls"), argv[2]);
    if (argc == 3 && _tcscmp(argv[1], TEXT("server")) == 0)
        return Serve(pipeName, BLOCKING);
    if (argc == 3 && _tcscmp(argv[1], TEXT("server-ex")) == 0)
        return Serve(pipeName, ROUTINE);
    if (argc == 3 && _tcscmp(argv[1], TEXT("server-ovl")) == 0)
        return Serve(pipeName, OVERLAPPED_EVENT);
    if (argc == 5 && _tcscmp(argv[1], TEXT("client")) == 0)
        return Receive(pipeName, _ttoi(argv[3]), _ttoi(argv[4]));
    _tprintf(TEXT("usage: pipe-push.exe server|server-ex|server-ovl NAME | pipe-push.exe client NAME COUNT SIZE\n"));
    return 2;
}
