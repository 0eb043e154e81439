/*
 * A C load client for pipekit's Unix framing: N threads, each on its own connection, send
 * SIZE-byte frames ('x's, valid UTF-8) and time every round trip with CLOCK_MONOTONIC. It
 * prints one JSON object with the same fields as `pipe-client bench --json`, so the same
 * client can be pointed at pipekit's server and at the C epoll server.
 *
 * With --poll, each socket is non-blocking and waits for readiness with poll() before reading
 * or writing again, as any client that can time out or be cancelled must wait (pipekit's waits
 * in a selector); without it, reads and writes block in the kernel.
 *
 * Usage: uds_bench_client SOCKET_PATH CLIENTS SIZE ROUND_TRIPS WARMUP [--poll]
 * Build: gcc @pipe-it/src/test/c/cflags.rsp -pthread -o uds_bench_client uds_bench_client.c
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const char *path;
static int size, round_trips, warmup, use_poll;
static pthread_barrier_t start;

typedef struct { double *micros; int ok; } result_t;

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int io_all(int fd, uint8_t *buf, size_t len, int writing)
{
    while (len > 0) {
        ssize_t n = writing ? write(fd, buf, len) : read(fd, buf, len);
        if (n < 0 && use_poll && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd ready = {.fd = fd, .events = writing ? POLLOUT : POLLIN};
            if (poll(&ready, 1, -1) < 0)
                return -1;
            continue;
        }
        if (n <= 0)
            return -1;
        buf += n;
        len -= (size_t) n;
    }
    return 0;
}

static int round_trip(int fd, uint8_t *frame, uint8_t *reply)
{
    if (io_all(fd, frame, 4 + (size_t) size, 1) < 0 || io_all(fd, reply, 4, 0) < 0)
        return -1;
    uint32_t len;
    memcpy(&len, reply, 4);
    len = ntohl(len);
    return io_all(fd, reply + 4, len, 0);
}

static void *client(void *arg)
{
    result_t *r = arg;
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    strncpy(addr.sun_path, path, sizeof addr.sun_path - 1);
    uint8_t *frame = malloc(4 + (size_t) size), *reply = malloc(4 + (size_t) size + 65536);
    uint32_t len = htonl((uint32_t) size);
    memcpy(frame, &len, 4);
    memset(frame + 4, 'x', (size_t) size);
    r->ok = connect(fd, (struct sockaddr *) &addr, sizeof addr) == 0
            && (!use_poll || fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == 0);
    for (int i = 0; r->ok && i < warmup; i++)
        r->ok = round_trip(fd, frame, reply) == 0;
    pthread_barrier_wait(&start);
    for (int i = 0; r->ok && i < round_trips; i++) {
        double t = now_us();
        r->ok = round_trip(fd, frame, reply) == 0;
        r->micros[i] = now_us() - t;
    }
    close(fd);
    free(frame);
    free(reply);
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    use_poll = argc == 7 && strcmp(argv[6], "--poll") == 0;
    if (argc != 6 && !use_poll) {
        fprintf(stderr, "usage: %s SOCKET_PATH CLIENTS SIZE ROUND_TRIPS WARMUP [--poll]\n", argv[0]);
        return 2;
    }
    path = argv[1];
    int clients = atoi(argv[2]);
    size = atoi(argv[3]);
    round_trips = atoi(argv[4]);
    warmup = atoi(argv[5]);
    pthread_t *threads = calloc((size_t) clients, sizeof *threads);
    result_t *results = calloc((size_t) clients, sizeof *results);
    pthread_barrier_init(&start, NULL, (unsigned) clients + 1);
    for (int i = 0; i < clients; i++) {
        results[i].micros = calloc((size_t) round_trips, sizeof(double));
        pthread_create(&threads[i], NULL, client, &results[i]);
    }
    pthread_barrier_wait(&start);
    double t0 = now_us();
    for (int i = 0; i < clients; i++)
        pthread_join(threads[i], NULL);
    double seconds = (now_us() - t0) / 1e6;
    size_t total = (size_t) clients * (size_t) round_trips;
    double *all = malloc(total * sizeof(double));
    for (int i = 0; i < clients; i++) {
        if (!results[i].ok) {
            fprintf(stderr, "uds_bench_client: client %d failed\n", i);
            return 1;
        }
        memcpy(all + (size_t) i * (size_t) round_trips, results[i].micros, (size_t) round_trips * sizeof(double));
    }
    qsort(all, total, sizeof(double), cmp);
    printf("{\"transport\":\"unix_domain_sockets\",\"endpoint\":\"%s\",\"clients\":%d,\"messageBytes\":%d,\"roundTrips\":%zu,"
           "\"seconds\":%.3f,\"roundTripsPerSecond\":%.1f,\"medianMicros\":%.2f,\"p99Micros\":%.2f,\"maxMicros\":%.2f}\n",
           path, clients, size, total, seconds, total / seconds, all[(total + 1) / 2 - 1],
           all[(size_t) (0.99 * total + 0.999999) - 1], all[total - 1]);
    return 0;
}
