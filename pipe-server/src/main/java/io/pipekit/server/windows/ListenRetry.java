package io.pipekit.server.windows;

import io.pipekit.core.windows.Kernel32Ex;

/**
 * When the server loop may try again to make a new instance listen, after attempts that
 * failed: first after {@link #FIRST_PAUSE_NANOS}, then after twice as long each time, up to
 * {@link #MAX_PAUSE_NANOS}. Without it, a name whose instances another process holds would
 * have the loop retry on every wake, and log each time.
 *
 * <p>Confined to the loop thread; times are {@link System#nanoTime()} readings.
 */
public final class ListenRetry {
    public static final long FIRST_PAUSE_NANOS = 50_000_000L;
    public static final long MAX_PAUSE_NANOS = 2_000_000_000L;

    private int failures;
    private long retryAtNanos;

    /** Whether an attempt may start now: always, unless failures have set a later time. */
    public boolean mayTry(long nowNanos) {
        return failures == 0 || nowNanos - retryAtNanos >= 0;
    }

    /**
     * Records a failed attempt and sets when the next may start. Returns whether this failure
     * starts a run of failures: the one worth a warning.
     */
    public boolean failed(long nowNanos) {
        failures++;
        long pause = FIRST_PAUSE_NANOS << Math.min(failures - 1, 20);
        retryAtNanos = nowNanos + Math.min(pause, MAX_PAUSE_NANOS);
        return failures == 1;
    }

    /** Records a successful attempt; returns how many failures it ended (0 if none). */
    public int succeeded() {
        int ended = failures;
        failures = 0;
        return ended;
    }

    /** Failed attempts since the last success. */
    public int failures() {
        return failures;
    }

    /**
     * How long the loop's alertable wait may last before a retry is due: {@code INFINITE}
     * when none is pending, else the milliseconds left, rounded up so the retry is never early.
     */
    public int waitMillis(long nowNanos) {
        if (failures == 0) {
            return Kernel32Ex.INFINITE;
        }
        long left = retryAtNanos - nowNanos;
        return left <= 0 ? 0 : (int) ((left + 999_999) / 1_000_000);
    }
}
