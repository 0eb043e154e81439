/*
 * The C twin of bench/java/CrossingProbe.java: the same kernel32 calls, made from C, so that the
 * difference is what JNA and the JVM add to a call and to a completion routine's dispatch.
 * Build: x86_64-w64-mingw32-gcc -O2 -o crossing-probe.exe crossing_probe.c
 */
#include <windows.h>
#include <stdio.h>

static volatile long ran;

static VOID CALLBACK Routine(ULONG_PTR parameter)
{
    (void) parameter;
    ran++;
}

int main(void)
{
    LARGE_INTEGER frequency, started, ended;
    QueryPerformanceFrequency(&frequency);
    for (int round = 0; round < 3; round++) {
        int calls = 2000000, apcs = 100000;
        long long sum = 0;
        QueryPerformanceCounter(&started);
        for (int i = 0; i < calls; i++)
            sum += GetCurrentThreadId();
        QueryPerformanceCounter(&ended);
        double callNanos = (ended.QuadPart - started.QuadPart) * 1e9 / frequency.QuadPart / calls;
        QueryPerformanceCounter(&started);
        for (int i = 0; i < apcs; i++) {
            QueueUserAPC(Routine, GetCurrentThread(), 0);
            SleepEx(0, TRUE);
        }
        QueryPerformanceCounter(&ended);
        double apcNanos = (ended.QuadPart - started.QuadPart) * 1e9 / frequency.QuadPart / apcs;
        printf("c round %d: call %.0f ns; QueueUserAPC, SleepEx and the routine %.0f ns (%ld, %lld)\n",
               round, callNanos, apcNanos, ran, sum & 1);
    }
    return 0;
}
