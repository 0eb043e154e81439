/*
 * What the Windows stream bench peers share (pipe_stream.c over a named pipe, tcp_stream.c over
 * Winsock): the command that starts a transfer ('U' or 'D' and an 8-byte big-endian byte count),
 * and the report of the median timed transfer as one JSON object, so that the two measure and say
 * the same thing.
 */
#ifndef STREAM_COMMAND_H
#define STREAM_COMMAND_H

#include <windows.h>
#include <stdio.h>
#include <stdlib.h>

#define STREAM_COMMAND_SIZE 9
#define MAX_TIMED 64
/* The largest client call (read or write) a command line may ask for: 16 MiB. */
#define MAX_CALL (16 * 1024 * 1024)

static void commandFor(unsigned char command[STREAM_COMMAND_SIZE], char direction, ULONGLONG count)
{
    command[0] = (unsigned char) direction;
    for (int i = 8; i >= 1; i--)
        command[i] = (unsigned char) (count >> (8 * (8 - i)));
}

static ULONGLONG countOf(const unsigned char command[STREAM_COMMAND_SIZE])
{
    ULONGLONG count = 0;
    for (int i = 1; i < STREAM_COMMAND_SIZE; i++)
        count = count << 8 | command[i];
    return count;
}

static int byValue(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

/* Prints the median of the timed runs' seconds (sorts them), and the client's call size. */
static void reportMedian(char direction, ULONGLONG count, int call, double *runs, int timedRuns)
{
    qsort(runs, (size_t) timedRuns, sizeof runs[0], byValue);
    double seconds = runs[timedRuns / 2];
    printf("{\"direction\":\"%s\",\"bytes\":%llu,\"callBytes\":%d,\"seconds\":%.4f,\"megabytesPerSecond\":%.1f}\n",
           direction == 'U' ? "upload" : "download", count, call, seconds, (double) count / seconds / 1e6);
}

#endif
