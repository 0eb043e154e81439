/*
 * Stream throughput over TCP loopback with Winsock, both ends in one program: the TCP twin of
 * bench/c/pipe_stream.c, with the same commands ('U' or 'D' and an 8-byte big-endian COUNT), so
 * that under Wine the two say what a named pipe costs against a socket when no Java runs at all.
 *
 *   tcp-stream.exe server PORT [BUFFER]
 *                                      serve clients one after another on 127.0.0.1:PORT, asking
 *                                      for SO_SNDBUF and SO_RCVBUF of BUFFER bytes if given
 *   tcp-stream.exe client PORT U|D COUNT [WARM TIMED [CALL]]
 *                                      upload or download COUNT bytes in calls of CALL bytes
 *                                      (default 64 KiB; the server's are 64 KiB), timed
 *                                      from the command to the last byte, WARM times untimed
 *                                      (default 1) and TIMED times timed (default 5, at most 64);
 *                                      prints one JSON object with the median
 *
 * Build: x86_64-w64-mingw32-gcc @pipe-it/src/test/c/cflags.rsp -o tcp-stream.exe tcp_stream.c -lws2_32
 */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream_command.h"

#define CHUNK (64 * 1024)

static BOOL ioAll(SOCKET s, char *buf, int len, BOOL writing)
{
    while (len > 0) {
        int n = writing ? send(s, buf, len, 0) : recv(s, buf, len, 0);
        if (n <= 0)
            return FALSE;
        buf += n;
        len -= n;
    }
    return TRUE;
}

static BOOL transfer(SOCKET s, char *chunk, int call, ULONGLONG count, BOOL writing)
{
    while (count > 0) {
        int len = count < (ULONGLONG) call ? (int) count : call;
        int n = writing ? send(s, chunk, len, 0) : recv(s, chunk, len, 0);
        if (n <= 0)
            return FALSE;
        count -= (ULONGLONG) n;
    }
    return TRUE;
}

static struct sockaddr_in loopback(int port)
{
    struct sockaddr_in address;
    memset(&address, 0, sizeof address);
    address.sin_family = AF_INET;
    address.sin_port = htons((u_short) port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return address;
}

static int serve(int port, int buffer)
{
    static char chunk[CHUNK];
    memset(chunk, 'x', sizeof chunk);
    SOCKET listener = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (listener == INVALID_SOCKET) {
        printf("socket failed with %d.\n", WSAGetLastError());
        return 1;
    }
    struct sockaddr_in address = loopback(port);
    BOOL reuse = TRUE;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, (const char *) &reuse, sizeof reuse);
    if (bind(listener, (struct sockaddr *) &address, sizeof address) != 0
        || listen(listener, 4) != 0) {
        printf("listen failed with %d.\n", WSAGetLastError());
        return 1;
    }
    printf("listening on %d\n", port);
    fflush(stdout);
    for (;;) {
        SOCKET s = accept(listener, NULL, NULL);
        if (s == INVALID_SOCKET)
            return 1;
        BOOL noDelay = TRUE; /* as Netty's default TCP_NODELAY */
        setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (const char *) &noDelay, sizeof noDelay);
        if (buffer > 0) {
            setsockopt(s, SOL_SOCKET, SO_SNDBUF, (const char *) &buffer, sizeof buffer);
            setsockopt(s, SOL_SOCKET, SO_RCVBUF, (const char *) &buffer, sizeof buffer);
        }
        unsigned char command[STREAM_COMMAND_SIZE];
        while (ioAll(s, (char *) command, sizeof command, FALSE)) {
            if (command[0] == 'U') {
                char done = 'k';
                if (!transfer(s, chunk, CHUNK, countOf(command), FALSE) || !ioAll(s, &done, 1, TRUE))
                    break;
            } else if (!transfer(s, chunk, CHUNK, countOf(command), TRUE)) {
                break;
            }
        }
        closesocket(s);
    }
}

static double timed(SOCKET s, char *chunk, int call, char direction, ULONGLONG count)
{
    unsigned char command[STREAM_COMMAND_SIZE];
    commandFor(command, direction, count);
    LARGE_INTEGER frequency, started, ended;
    QueryPerformanceFrequency(&frequency);
    QueryPerformanceCounter(&started);
    if (!ioAll(s, (char *) command, sizeof command, TRUE))
        return -1;
    if (direction == 'U') {
        char done;
        if (!transfer(s, chunk, call, count, TRUE) || !ioAll(s, &done, 1, FALSE))
            return -1;
    } else if (!transfer(s, chunk, call, count, FALSE)) {
        return -1;
    }
    QueryPerformanceCounter(&ended);
    return (double) (ended.QuadPart - started.QuadPart) / (double) frequency.QuadPart;
}

int main(int argc, char *argv[])
{
    WSADATA wsa;
    if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0)
        return 1;
    if ((argc == 3 || argc == 4) && strcmp(argv[1], "server") == 0)
        return serve(atoi(argv[2]), argc == 4 ? atoi(argv[3]) : 0);
    int warm = argc >= 7 ? atoi(argv[5]) : 1, timedRuns = argc >= 7 ? atoi(argv[6]) : 5;
    int call = argc == 8 ? atoi(argv[7]) : CHUNK;
    if ((argc != 5 && argc != 7 && argc != 8) || call < 1 || call > MAX_CALL || strcmp(argv[1], "client") != 0 || (argv[3][0] != 'U' && argv[3][0] != 'D')
        || warm < 0 || timedRuns < 1 || timedRuns > MAX_TIMED) {
        printf("usage: tcp-stream.exe server PORT [BUFFER] | client PORT U|D COUNT [WARM TIMED [CALL]]\n");
        return 2;
    }
    struct sockaddr_in address = loopback(atoi(argv[2]));
    SOCKET s = INVALID_SOCKET;
    for (int attempts = 0; attempts < 500; attempts++) {
        s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
        if (connect(s, (struct sockaddr *) &address, sizeof address) == 0)
            break;
        closesocket(s); /* the server is between two clients, or not listening yet */
        s = INVALID_SOCKET;
        Sleep(10);
    }
    if (s == INVALID_SOCKET) {
        printf("cannot connect (%d).\n", WSAGetLastError());
        return 1;
    }
    BOOL noDelay = TRUE;
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (const char *) &noDelay, sizeof noDelay);
    char *chunk = malloc(call);
    if (chunk == NULL)
        return 1;
    memset(chunk, 'x', call);
    ULONGLONG count = _strtoui64(argv[4], NULL, 10);
    char direction = argv[3][0];
    double runs[MAX_TIMED];
    for (int i = -warm; i < timedRuns; i++) {
        double seconds = timed(s, chunk, call, direction, count);
        if (seconds < 0) {
            printf("transfer failed (%d).\n", WSAGetLastError());
            return 1;
        }
        if (i >= 0)
            runs[i] = seconds;
    }
    reportMedian(direction, count, call, runs, timedRuns);
    closesocket(s);
    free(chunk);
    return 0;
}
