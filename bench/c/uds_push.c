/*
 * Server push over pipekit's Unix framing, both ends in one program so that the C server and
 * the C client share their framing code.
 *
 *   uds_push server SOCKET_PATH          serve: for each client, read one frame "COUNT SIZE",
 *                                        then write COUNT frames of SIZE bytes as fast as the
 *                                        socket takes them; each client in a process of its
 *                                        own (fork), so that several clients are pushed to at once
 *   uds_push client SOCKET_PATH COUNT SIZE
 *                                        ask for COUNT frames of SIZE bytes and time them from
 *                                        the request to the last byte; prints one JSON object
 *
 * The client is pointed at this C server and at pipekit's (bench/java/PushServer.java): the
 * same client measures both. Build: gcc @pipe-it/src/test/c/cflags.rsp -o uds_push uds_push.c
 */
#include <arpa/inet.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "uds_io.h"

static int read_frame(int fd, uint8_t *buf, uint32_t cap, uint32_t *len)
{
    uint8_t header[4];
    if (io_all(fd, header, 4, 0) < 0)
        return -1;
    memcpy(len, header, 4);
    *len = ntohl(*len);
    return *len > cap ? -1 : io_all(fd, buf, *len, 0);
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
    signal(SIGCHLD, SIG_IGN); /* children are reaped by the kernel */
    for (;;) {
        int fd = accept(listener, NULL, NULL);
        uint8_t request[64];
        uint32_t len;
        int count, size;
        if (fd < 0)
            continue;
        pid_t child = fork();
        if (child != 0) { /* the parent accepts the next client; a failed fork drops this one */
            close(fd);
            continue;
        }
        close(listener);
        if (read_frame(fd, request, sizeof request - 1, &len) == 0) {
            request[len] = 0;
            if (sscanf((char *) request, "%d %d", &count, &size) == 2 && count > 0 && size >= 0) {
                uint8_t *frame = calloc(4 + (size_t) size, 1);
                uint32_t be = htonl((uint32_t) size);
                memcpy(frame, &be, 4);
                for (int i = 0; i < count && io_all(fd, frame, 4 + (size_t) size, 1) == 0; i++)
                    ;
                free(frame);
            }
        }
        close(fd);
        _exit(0);
    }
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int receive(const char *path, int count, int size)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un addr = address(path);
    if (fd < 0 || connect(fd, (struct sockaddr *) &addr, sizeof addr) < 0) {
        perror("connect");
        return 1;
    }
    uint8_t request[68];
    int n = snprintf((char *) request + 4, 64, "%d %d", count, size);
    uint32_t be = htonl((uint32_t) n);
    memcpy(request, &be, 4);
    uint8_t *buf = malloc((size_t) size + 1);
    double started = now_s();
    if (io_all(fd, request, 4 + (size_t) n, 1) < 0) {
        perror("write");
        return 1;
    }
    for (int i = 0; i < count; i++) {
        uint32_t len;
        if (read_frame(fd, buf, (uint32_t) size, &len) < 0 || len != (uint32_t) size) {
            fprintf(stderr, "message %d: short or failed read\n", i);
            return 1;
        }
    }
    double seconds = now_s() - started;
    printf("{\"messages\":%d,\"messageBytes\":%d,\"seconds\":%.6f,\"messagesPerSecond\":%.1f}\n",
           count, size, seconds, count / seconds);
    free(buf);
    close(fd);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "server") == 0)
        return serve(argv[2]);
    if (argc == 5 && strcmp(argv[1], "client") == 0)
        return receive(argv[2], atoi(argv[3]), atoi(argv[4]));
    fprintf(stderr, "usage: uds_push server SOCKET | uds_push client SOCKET COUNT SIZE\n");
    return 2;
}
