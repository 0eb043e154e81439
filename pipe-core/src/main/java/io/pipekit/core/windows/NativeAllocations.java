package io.pipekit.core.windows;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts pipekit's own native allocations and frees. Tests use it to prove that closing a
 * server frees everything and that steady-state serving allocates nothing per message;
 * the benchmarks report it. Two atomic increments per allocation are its whole cost.
 */
public final class NativeAllocations {
    private static final AtomicLong ALLOCATED = new AtomicLong();
    private static final AtomicLong FREED = new AtomicLong();

    private NativeAllocations() {
    }

    static void allocated() {
        ALLOCATED.incrementAndGet();
    }

    static void freed() {
        FREED.incrementAndGet();
    }

    /** How many native blocks pipekit has allocated since the JVM started. */
    public static long allocatedCount() {
        return ALLOCATED.get();
    }

    /** How many of pipekit's native blocks are allocated and not yet freed. */
    public static long liveCount() {
        return ALLOCATED.get() - FREED.get();
    }
}
