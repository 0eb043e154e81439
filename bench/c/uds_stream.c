/*
 * Stream throughput over a Unix domain socket with no framing (a byte-type pipe's stream), both
 * ends in one program.
 *
 *   uds_stream server SOCKET_PATH       serve clients one after another: read a command, one
 *                                       byte 'U' or 'D' and an 8-byte big-endian COUNT; for
 *                                       'U' read COUNT bytes and answer one byte, for 'D' write
 *                                       COUNT bytes
 *   uds_stream client SOCKET_PATH U|D COUNT [WARM TIMED]
 *                                       upload or download COUNT bytes in 64 KiB calls, timed
 *                                       from the command to the last byte, WARM times untimed
 *                                       (default 1) and TIMED times timed (default 5, at most
 *                                       64); prints one JSON object with the median
 *
 * The same server is used by this C client and by pipekit's stream client
 * (bench/java/StreamClient.java). Build: gcc @pipe-it/src/test/c/cflags.rsp -o uds_stream uds_stream.c
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "uds_io.h"

#define CHUNK (64 * 1024)
#define MAX_TIMED 64

/* Moves count bytes in CHUNK-sized calls (the last one shorter). */
static int transfer(int fd, uint8_t *chunk, uint64_t count, int writing)
{
    while (count > 0) {
        size_t len = count < CHUNK ? (size_t) count : CHUNK;
        ssize_t n = writing ? write(fd, chunk, len) : read(fd, chunk, len);
        if (n <= 0)
            return -1;
        count -= (uint64_t) n;
    }
    return 0;
}

static int serve(const char *path)
{
    int listener = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un addr = address(path);
    unlink(path);
    if (listener < 0 || bind(listener, (struct sockaddr *) &addr, sizeof addr) < 0 || listen(listener, 16) < 0) {
        perror("listen");
        return 1;
    }
    printf("listening on %s\n", path);
    fflush(stdout);
    static uint8_t chunk[CHUNK];
    memset(chunk, 'x', sizeof chunk);
    for (;;) {
        int fd = accept(listener, NULL, NULL);
        if (fd < 0)
            continue;
        uint8_t command[9];
        while (io_all(fd, command, sizeof command, 0) == 0) {
            uint64_t count = 0;
            for (int i = 1; i < 9; i++)
                count = count << 8 | command[i];
            if (command[0] == 'U') {
                uint8_t done = 'k';
                if (transfer(fd, chunk, count, 0) < 0 || io_all(fd, &done, 1, 1) < 0)
                    break;
            } else if (transfer(fd, chunk, count, 1) < 0) {
                break;
            }
        }
        close(fd);
    }
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec + t.tv_nsec / 1e9;
}

/* One timed transfer; returns its seconds, or a negative number on failure. */
static double timed(int fd, uint8_t *chunk, char direction, uint64_t count)
{
    uint8_t command[9] = {(uint8_t) direction};
    for (int i = 8; i >= 1; i--)
        command[i] = (uint8_t) (count >> (8 * (8 - i)));
    double started = now();
    if (io_all(fd, command, sizeof command, 1) < 0)
        return -1;
    if (direction == 'U') {
        uint8_t done;
        if (transfer(fd, chunk, count, 1) < 0 || io_all(fd, &done, 1, 0) < 0)
            return -1;
    } else if (transfer(fd, chunk, count, 0) < 0) {
        return -1;
    }
    return now() - started;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "server") == 0)
        return serve(argv[2]);
    int warm = argc == 7 ? atoi(argv[5]) : 1, timed_runs = argc == 7 ? atoi(argv[6]) : 5;
    if ((argc != 5 && argc != 7) || strcmp(argv[1], "client") != 0 || (argv[3][0] != 'U' && argv[3][0] != 'D')
        || warm < 0 || timed_runs < 1 || timed_runs > MAX_TIMED) {
        fprintf(stderr, "usage: %s server SOCKET_PATH | client SOCKET_PATH U|D COUNT [WARM TIMED]\n", argv[0]);
        return 2;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un addr = address(argv[2]);
    if (fd < 0 || connect(fd, (struct sockaddr *) &addr, sizeof addr) < 0) {
        perror("connect");
        return 1;
    }
    static uint8_t chunk[CHUNK];
    memset(chunk, 'x', sizeof chunk);
    uint64_t count = strtoull(argv[4], NULL, 10);
    char direction = argv[3][0];
    /* Untimed transfers first, as many as the Java clients warm up with; then the median of the
     * timed ones, since one 64 MiB transfer lasts a few milliseconds and a single preemption moves it. */
    double runs[MAX_TIMED];
    for (int i = -warm; i < timed_runs; i++) {
        double seconds = timed(fd, chunk, direction, count);
        if (seconds < 0) {
            fprintf(stderr, "uds_stream: transfer failed\n");
            return 1;
        }
        if (i >= 0)
            runs[i] = seconds;
    }
    qsort(runs, (size_t) timed_runs, sizeof runs[0], by_value);
    double seconds = runs[timed_runs / 2];
    printf("{\"direction\":\"%s\",\"bytes\":%llu,\"seconds\":%.4f,\"megabytesPerSecond\":%.1f}\n",
           direction == 'U' ? "upload" : "download", (unsigned long long) count, seconds, count / seconds / 1e6);
    close(fd);
    return 0;
}
