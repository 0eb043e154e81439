// A stream whose reader does work of its own, over a Unix socket pair or over TCP loopback, in C:
// whether a Unix socket as such costs a reader more kernel time per MB than TCP does (issue 27,
// bench/performance-profiles.md, "Unix, the gRPC stream: where the client thread's time goes").
// A child process writes 64 KiB calls; the parent reads in calls of READ bytes and copies each
// read COPIES times twice more (as a Java reader copies into and out of its own arrays), and
// reports the second half of the transfer: MB/s and its own user and system time per MB.
//
//   gcc @pipe-it/src/test/c/cflags.rsp -o reader_bound_stream bench/c/reader_bound_stream.c
//   ./reader_bound_stream unix|tcp MEBIBYTES READ COPIES      (e.g. unix 2048 65536 2)
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static double micros(struct timeval a, struct timeval b) {
    return (b.tv_sec - a.tv_sec) * 1e6 + (b.tv_usec - a.tv_usec);
}

// A connected pair: [0] the writer's end, [1] the reader's.
static int connected_pair(int unix_socket, int ends[2]) {
    if (unix_socket) {
        return socketpair(AF_UNIX, SOCK_STREAM, 0, ends);
    }
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    if (listener < 0) {
        return -1;
    }
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t length = sizeof address;
    if (bind(listener, (struct sockaddr *) &address, sizeof address) || listen(listener, 1)
        || getsockname(listener, (struct sockaddr *) &address, &length)) {
        return -1;
    }
    ends[0] = socket(AF_INET, SOCK_STREAM, 0);
    if (ends[0] < 0 || connect(ends[0], (struct sockaddr *) &address, sizeof address)) {
        return -1;
    }
    ends[1] = accept(listener, NULL, NULL);
    close(listener);
    int one = 1;
    setsockopt(ends[0], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(ends[1], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return ends[1] < 0 ? -1 : 0;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s unix|tcp MEBIBYTES READ COPIES\n", argv[0]);
        return 2;
    }
    int unix_socket = strcmp(argv[1], "unix") == 0;
    long half = atol(argv[2]) << 20; // untimed, then timed
    int read_size = atoi(argv[3]);
    int copies = atoi(argv[4]);
    int ends[2];
    if (connected_pair(unix_socket, ends)) {
        perror("connect");
        return 1;
    }
    int buffer = 1 << 20; // as pipe-netty asks
    setsockopt(ends[0], SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer);
    setsockopt(ends[1], SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
    pid_t writer = fork();
    if (writer == 0) {
        close(ends[1]);
        char *chunk = malloc(65536);
        memset(chunk, 7, 65536);
        for (long left = 2 * half; left > 0;) {
            ssize_t n = write(ends[0], chunk, 65536);
            if (n <= 0) {
                _exit(1);
            }
            left -= n;
        }
        _exit(0);
    }
    close(ends[0]);
    char *in = malloc(read_size), *first = malloc(read_size), *second = malloc(read_size);
    volatile long sink = 0;
    long got = 0;
    double start = 0;
    struct rusage before, after;
    while (got < 2 * half) {
        ssize_t n = read(ends[1], in, read_size);
        if (n <= 0) {
            break;
        }
        for (int c = 0; c < copies; c++) {
            memcpy(first, in, n);
            memcpy(second, first, n);
            sink += second[n - 1];
        }
        got += n;
        if (start == 0 && got >= half) {
            start = now();
            getrusage(RUSAGE_THREAD, &before);
        }
    }
    double seconds = now() - start;
    getrusage(RUSAGE_THREAD, &after);
    double megabytes = half / 1e6;
    printf("{\"transport\": \"%s\", \"read\": %d, \"copies\": %d, \"megabytesPerSecond\": %.0f, "
           "\"readerUserMicrosPerMegabyte\": %.0f, \"readerSystemMicrosPerMegabyte\": %.0f}\n",
           argv[1], read_size, copies, megabytes / seconds, micros(before.ru_utime, after.ru_utime) / megabytes,
           micros(before.ru_stime, after.ru_stime) / megabytes);
    waitpid(writer, NULL, 0);
    return got == 2 * half ? 0 : 1;
}
