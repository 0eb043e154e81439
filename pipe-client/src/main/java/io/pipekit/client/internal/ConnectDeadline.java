package io.pipekit.client.internal;

import io.pipekit.core.PipeException;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The time a client has left to connect, and the short pause between attempts while the pipe
 * does not exist yet (the server may be starting), shared by both transports.
 *
 * <p>A deadline never gives up early: it has passed only once the monotonic clock says so, and
 * the milliseconds it hands to waits are rounded up. A wait that the OS ends a little early
 * (Windows rounds timed waits to its timer tick) is followed by another attempt, not by a
 * timeout.
 */
public final class ConnectDeadline {
    private static final long RETRY_PAUSE_MILLIS = 20;
    private static final long NANOS_PER_MILLI = 1_000_000;

    private final LongSupplier clock;
    private final long deadlineNanos;

    public ConnectDeadline(Duration timeout) {
        this(timeout, System::nanoTime);
    }

    /** A deadline read off {@code clock}, a {@link System#nanoTime()} stand-in for tests. */
    ConnectDeadline(Duration timeout, LongSupplier clock) {
        this.clock = clock;
        this.deadlineNanos = clock.getAsLong() + timeout.toNanos();
    }

    /** Whether the whole timeout has elapsed. */
    public boolean expired() {
        return clock.getAsLong() - deadlineNanos >= 0;
    }

    /** Milliseconds left, rounded up, so that a wait this long does not end before the deadline; 0 once it has passed. */
    public long leftMillis() {
        long leftNanos = deadlineNanos - clock.getAsLong();
        return leftNanos <= 0 ? 0 : (leftNanos + NANOS_PER_MILLI - 1) / NANOS_PER_MILLI;
    }

    /** Sleeps before the next attempt, never much past the deadline. */
    public void pauseBeforeRetry(String operation) throws PipeException {
        try {
            Thread.sleep(Math.min(leftMillis(), RETRY_PAUSE_MILLIS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PipeException(operation, PipeException.NO_CODE, "interrupted", e);
        }
    }
}
