/*
 * A C load client for Windows named pipes, in the style of Microsoft's named-pipe client
 * sample: each of N threads opens the pipe (retrying with WaitNamedPipe while busy), switches
 * to message read mode, then writes a SIZE-byte TCHAR message and reads the whole reply
 * ROUND_TRIPS times, timing each with QueryPerformanceCounter. It prints one JSON object with
 * the fields of `pipe-client bench --json`, so one client measures pipekit's server and the
 * documented C sample server alike.
 *
 * Usage: pipe-bench-client.exe PIPE_NAME CLIENTS SIZE ROUND_TRIPS WARMUP
 * Build: x86_64-w64-mingw32-gcc -municode -DUNICODE -D_UNICODE @pipe-it/src/test/c/cflags.rsp \
 *          -o pipe-bench-client.exe pipe_bench_client.c
 */
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tchar.h>
#include <strsafe.h>
#include "pipe_io.h"

static TCHAR pipeName[256];
static int size, roundTrips, warmup;
static LARGE_INTEGER frequency;
static HANDLE startEvent;
static volatile LONG readyCount;

typedef struct { double *micros; int ok; } RESULT;

static int RoundTrip(HANDLE h, BYTE *message, BYTE *reply, DWORD replyCap)
{
    DWORD n;
    if (!WriteFile(h, message, (DWORD) size, &n, NULL) || n != (DWORD) size)
        return -1;
    return ReadMessage(h, reply, replyCap, &n);
}

static DWORD WINAPI Client(LPVOID arg)
{
    RESULT *r = arg;
    HANDLE h;
    BYTE *message = calloc((size_t) size, 1), *reply = malloc(65536);
    int i;
    for (i = 0; i + 1 < size; i += 2)
        message[i] = 'x';            /* UTF-16LE 'x's; the last two bytes stay 0: the NUL */
    h = OpenMessagePipe(pipeName);
    r->ok = h != INVALID_HANDLE_VALUE;
    for (i = 0; r->ok && i < warmup; i++)
        r->ok = RoundTrip(h, message, reply, 65536) == 0;
    InterlockedIncrement(&readyCount);
    WaitForSingleObject(startEvent, INFINITE);
    for (i = 0; r->ok && i < roundTrips; i++) {
        LARGE_INTEGER a, b;
        QueryPerformanceCounter(&a);
        r->ok = RoundTrip(h, message, reply, 65536) == 0;
        QueryPerformanceCounter(&b);
        r->micros[i] = (b.QuadPart - a.QuadPart) * 1e6 / frequency.QuadPart;
    }
    if (h != INVALID_HANDLE_VALUE)
        CloseHandle(h);
    free(message);
    free(reply);
    return 0;
}

static int Compare(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

int _tmain(int argc, TCHAR *argv[])
{
    int clients, i;
    HANDLE *threads;
    RESULT *results;
    LARGE_INTEGER t0, t1;
    double seconds, *all;
    size_t total;

    if (argc != 6) {
        _tprintf(TEXT("usage: pipe-bench-client.exe PIPE_NAME CLIENTS SIZE ROUND_TRIPS WARMUP\n"));
        return 2;
    }
    StringCchPrintf(pipeName, 256, TEXT("\\\\.\\pipe\\%ls"), argv[1]);
    clients = _ttoi(argv[2]);
    size = _ttoi(argv[3]) & ~1;
    roundTrips = _ttoi(argv[4]);
    warmup = _ttoi(argv[5]);
    QueryPerformanceFrequency(&frequency);
    startEvent = CreateEvent(NULL, TRUE, FALSE, NULL);
    threads = calloc((size_t) clients, sizeof(HANDLE));
    results = calloc((size_t) clients, sizeof(RESULT));
    for (i = 0; i < clients; i++) {
        results[i].micros = calloc((size_t) roundTrips, sizeof(double));
        threads[i] = CreateThread(NULL, 0, Client, &results[i], 0, NULL);
    }
    while (readyCount < clients)
        Sleep(1);
    QueryPerformanceCounter(&t0);
    SetEvent(startEvent);
    WaitForMultipleObjects((DWORD) clients, threads, TRUE, INFINITE);
    QueryPerformanceCounter(&t1);
    seconds = (double) (t1.QuadPart - t0.QuadPart) / frequency.QuadPart;
    total = (size_t) clients * (size_t) roundTrips;
    all = malloc(total * sizeof(double));
    for (i = 0; i < clients; i++) {
        if (!results[i].ok) {
            _tprintf(TEXT("pipe-bench-client: client %d failed\n"), i);
            return 1;
        }
        memcpy(all + (size_t) i * roundTrips, results[i].micros, (size_t) roundTrips * sizeof(double));
    }
    qsort(all, total, sizeof(double), Compare);
    printf("{\"transport\":\"windows_named_pipes\",\"clients\":%d,\"messageBytes\":%d,\"roundTrips\":%zu,"
           "\"seconds\":%.3f,\"roundTripsPerSecond\":%.1f,\"medianMicros\":%.2f,\"p99Micros\":%.2f,\"maxMicros\":%.2f}\n",
           clients, size, total, seconds, total / seconds, all[(total + 1) / 2 - 1],
           all[(size_t) (0.99 * total + 0.999999) - 1], all[total - 1]);
    return 0;
}
