package io.pipekit.client.internal;

import io.pipekit.core.PipeException;
import io.pipekit.core.transport.ClientConnection;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The time a client call has left: to connect (with the short pause between attempts while the
 * pipe does not exist yet), or to receive. Shared by both transports.
 *
 * <p>A deadline never gives up early: it has passed only once the monotonic clock says so, and
 * the milliseconds it hands to waits are rounded up. A wait that the OS ends a little early
 * (Windows rounds timed waits to its timer tick) is followed by another attempt, not by a
 * timeout. A receive's deadline given as {@link ClientConnection#NO_TIMEOUT} never passes.
 */
public final class Deadline {
    private static final long RETRY_PAUSE_MILLIS = 20;
    private static final long NANOS_PER_MILLI = 1_000_000;

    private final LongSupplier clock;
    private final long deadlineNanos;

    /** {@code timeout} from now: a connect's deadline. */
    public static Deadline after(Duration timeout) {
        return new Deadline(timeout, System::nanoTime);
    }

    /** A deadline read off {@code clock}, a {@link System#nanoTime()} stand-in for tests. */
    Deadline(Duration timeout, LongSupplier clock) {
        this.clock = clock;
        this.deadlineNanos = clock.getAsLong() + timeout.toNanos();
    }

    /** Whether the whole timeout has elapsed. */
    public boolean expired() {
        return clock.getAsLong() - deadlineNanos >= 0;
    }

    /**
     * Milliseconds left, rounded up, so that a wait this long does not end before the deadline;
     * 0 once it has passed.
     */
    public long leftMillis() {
        return roundedUpMillis(deadlineNanos - clock.getAsLong());
    }

    /**
     * For a receive or read, which a stream makes thousands of times, the same without an object:
     * whether {@code timeoutMillis} ({@link ClientConnection#NO_TIMEOUT}: never) has passed since
     * {@code startNanos}.
     */
    public static boolean expired(long startNanos, long timeoutMillis) {
        return timeoutMillis >= 0 && System.nanoTime() - startNanos >= timeoutMillis * NANOS_PER_MILLI;
    }

    /** {@link #leftMillis()} for {@link #expired(long, long)}'s deadline; {@link ClientConnection#NO_TIMEOUT} if it never passes. */
    public static long leftMillis(long startNanos, long timeoutMillis) {
        return timeoutMillis < 0 ? ClientConnection.NO_TIMEOUT
                : roundedUpMillis(timeoutMillis * NANOS_PER_MILLI - (System.nanoTime() - startNanos));
    }

    private static long roundedUpMillis(long leftNanos) {
        return leftNanos <= 0 ? 0 : (leftNanos + NANOS_PER_MILLI - 1) / NANOS_PER_MILLI;
    }

    /** Sleeps before the next connect attempt, never much past the deadline. */
    public void pauseBeforeRetry(String operation) throws PipeException {
        try {
            Thread.sleep(Math.min(leftMillis(), RETRY_PAUSE_MILLIS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PipeException(operation, PipeException.NO_CODE, "interrupted", e);
        }
    }
}
