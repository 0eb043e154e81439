/*
 * A small single-threaded epoll echo server over a Unix domain socket, speaking pipekit's
 * framing (docs/protocol.md: 4-byte big-endian length, then the payload). It is the C
 * baseline pipekit's Unix transport is measured against: same socket kind, same framing,
 * same one-thread design, nothing else.
 *
 * Usage: uds_echo_server SOCKET_PATH     (prints "listening on PATH" when ready)
 * Build: gcc @pipe-it/src/test/c/cflags.rsp -o uds_echo_server uds_echo_server.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_MESSAGE (16u * 1024 * 1024)

typedef struct {
    int fd;
    uint8_t *in;      /* bytes read, not yet answered */
    size_t in_len, in_cap;
    uint8_t *out;     /* the frame being written back */
    size_t out_len, out_off;
} conn_t;

static void die(const char *what) { perror(what); exit(1); }

static void drop(int ep, conn_t *c)
{
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c->in);
    free(c->out);
    free(c);
}

/* Writes what it can of the pending frame; returns -1 on error, 0 if done, 1 if it must wait. */
static int flush_out(conn_t *c)
{
    while (c->out_off < c->out_len) {
        ssize_t n = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
        if (n < 0)
            return errno == EAGAIN ? 1 : -1;
        c->out_off += (size_t) n;
    }
    c->out_len = c->out_off = 0;
    return 0;
}

/* Echoes every whole frame in the input buffer; returns -1 to drop the connection. */
static int answer_frames(int ep, conn_t *c)
{
    while (c->out_len == 0 && c->in_len >= 4) {
        uint32_t len;
        memcpy(&len, c->in, 4);
        len = ntohl(len);
        if (len > MAX_MESSAGE)
            return -1;
        if (c->in_len < 4 + (size_t) len)
            return 0;
        c->out = realloc(c->out, 4 + (size_t) len);
        memcpy(c->out, c->in, 4 + (size_t) len);
        c->out_len = 4 + (size_t) len;
        memmove(c->in, c->in + c->out_len, c->in_len - c->out_len);
        c->in_len -= c->out_len;
        int r = flush_out(c);
        if (r < 0)
            return -1;
        if (r > 0) {
            struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = c};
            epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s SOCKET_PATH\n", argv[0]);
        return 2;
    }
    int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (ls < 0)
        die("socket");
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    strncpy(addr.sun_path, argv[1], sizeof addr.sun_path - 1);
    unlink(argv[1]);
    if (bind(ls, (struct sockaddr *) &addr, sizeof addr) < 0 || listen(ls, 128) < 0)
        die("bind/listen");
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
    printf("listening on %s\n", argv[1]);
    fflush(stdout);

    struct epoll_event events[64];
    for (;;) {
        int n = epoll_wait(ep, events, 64, -1);
        for (int i = 0; i < n; i++) {
            conn_t *c = events[i].data.ptr;
            if (c == NULL) {
                int fd;
                while ((fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    conn_t *nc = calloc(1, sizeof *nc);
                    nc->fd = fd;
                    nc->in_cap = 65536;
                    nc->in = malloc(nc->in_cap);
                    struct epoll_event cev = {.events = EPOLLIN, .data.ptr = nc};
                    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &cev);
                }
                continue;
            }
            if (events[i].events & EPOLLOUT) {
                int r = flush_out(c);
                if (r < 0) { drop(ep, c); continue; }
                if (r == 0) {
                    struct epoll_event cev = {.events = EPOLLIN, .data.ptr = c};
                    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &cev);
                    if (answer_frames(ep, c) < 0) { drop(ep, c); }
                }
                continue;
            }
            if (c->in_len == c->in_cap) {
                c->in_cap *= 2;
                c->in = realloc(c->in, c->in_cap);
            }
            ssize_t r = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
            if (r <= 0) {
                if (r < 0 && errno == EAGAIN)
                    continue;
                drop(ep, c);
                continue;
            }
            c->in_len += (size_t) r;
            if (answer_frames(ep, c) < 0)
                drop(ep, c);
        }
    }
}
