package io.pipekit.netty.windows;

/**
 * The alertable wait's timeout from the delay to the next scheduled task. Kept apart from the
 * loop, which binds kernel32 when it loads, so that the rule is testable anywhere.
 */
final class WaitTimeout {
    /** {@code INFINITE}: no scheduled task. */
    static final int INFINITE = 0xFFFFFFFF;

    private WaitTimeout() {
    }

    /**
     * Whole milliseconds, rounded up: a wait never ends before the task is due (rounded down, a
     * task due in 0.4 ms would give 0 ms waits, a spinning loop, until it is). 0 for a task due
     * now or overdue; never {@link #INFINITE}, however far the task is.
     */
    static int ceilMillis(long delayNanos) {
        if (delayNanos <= 0) {
            return 0;
        }
        long millis = delayNanos / 1_000_000 + (delayNanos % 1_000_000 == 0 ? 0 : 1); // no overflow near Long.MAX_VALUE
        return (int) Math.min(millis, Integer.MAX_VALUE - 1L);
    }
}
