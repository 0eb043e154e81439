package io.pipekit.core.windows;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts pipekit's own native allocations and frees. Tests use it to prove that closing a
 * server frees everything and that steady-state serving allocates nothing per message;
 * the benchmarks report it. Two atomic increments per allocation are its whole cost.
 */
public final class NativeAllocations {
    private static final AtomicLong ALLOCATED = new AtomicLong();
    // Its own counter, not ALLOCATED - FREED: two reads could straddle an allocation or a free
    // made meanwhile on another thread, and a leak check would then start from a count one off.
    private static final AtomicLong LIVE = new AtomicLong();

    private NativeAllocations() {
    }

    static void allocated() {
        ALLOCATED.incrementAndGet();
        LIVE.incrementAndGet();
    }

    static void freed() {
        LIVE.decrementAndGet();
    }

    /** How many native blocks pipekit has allocated since the JVM started. */
    public static long allocatedCount() {
        return ALLOCATED.get();
    }

    /** How many of pipekit's native blocks are allocated and not yet freed. */
    public static long liveCount() {
        return LIVE.get();
    }
}
