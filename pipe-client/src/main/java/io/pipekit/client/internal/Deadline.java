package io.pipekit.client.internal;

import io.pipekit.core.PipeException;
import io.pipekit.core.transport.ClientConnection;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The time a client call has left: to connect (with the short pause between attempts while the
 * pipe does not exist yet), to send, or to receive. Shared by both transports.
 *
 * <p>A deadline never gives up early: it has passed only once the monotonic clock says so, and
 * the milliseconds it hands to waits are rounded up. A wait that the OS ends a little early
 * (Windows rounds timed waits to its timer tick) is followed by another attempt, not by a
 * timeout. A deadline given as {@link ClientConnection#NO_TIMEOUT} never passes, and one too
 * long to count in nanoseconds (about 292 years) is taken as never passing rather than
 * overflowing into one already passed.
 *
 * <p>A wait step reads the clock once ({@link #leftMillis(LongSupplier, long, long)}): asking
 * "has it passed?" and then "how long is left?" would read it twice, and a deadline that passes
 * in between would hand the wait 0, which to a selector means "no limit".
 */
public final class Deadline {
    private static final long RETRY_PAUSE_MILLIS = 20;
    private static final long NANOS_PER_MILLI = 1_000_000;

    private final LongSupplier clock;
    private final long startNanos;
    private final long timeoutNanos;

    /** {@code timeout} from now: a connect's deadline. */
    public static Deadline after(Duration timeout) {
        return new Deadline(timeout, System::nanoTime);
    }

    /** A deadline read off {@code clock}, a {@link System#nanoTime()} stand-in for tests. */
    Deadline(Duration timeout, LongSupplier clock) {
        this.clock = clock;
        this.startNanos = clock.getAsLong();
        this.timeoutNanos = saturatedNanos(timeout);
    }

    /** Whether the whole timeout has elapsed. */
    public boolean expired() {
        return clock.getAsLong() - startNanos >= timeoutNanos;
    }

    /**
     * Milliseconds left, rounded up, so that a wait this long does not end before the deadline;
     * 0 once it has passed. One reading of the clock: a caller that waits uses this alone, and
     * takes 0 for "passed".
     */
    public long leftMillis() {
        return roundedUpMillis(timeoutNanos - (clock.getAsLong() - startNanos));
    }

    /**
     * For a send, receive or read, which a stream makes thousands of times, the same without an
     * object, from one reading of {@code clock}: the milliseconds left of {@code timeoutMillis}
     * since {@code startNanos}, rounded up (at least 1 while it has not passed); 0 once it has
     * passed; {@link ClientConnection#NO_TIMEOUT} if {@code timeoutMillis} is.
     */
    public static long leftMillis(LongSupplier clock, long startNanos, long timeoutMillis) {
        if (timeoutMillis < 0) {
            return ClientConnection.NO_TIMEOUT;
        }
        long elapsed = clock.getAsLong() - startNanos;
        return roundedUpMillis(saturatedNanos(timeoutMillis) - Math.max(0, elapsed));
    }

    /** {@link #leftMillis(LongSupplier, long, long)} on {@link System#nanoTime()}. */
    public static long leftMillis(long startNanos, long timeoutMillis) {
        return leftMillis(System::nanoTime, startNanos, timeoutMillis);
    }

    /** {@code timeoutMillis} in nanoseconds, {@link Long#MAX_VALUE} where that would overflow. */
    static long saturatedNanos(long timeoutMillis) {
        return timeoutMillis >= Long.MAX_VALUE / NANOS_PER_MILLI ? Long.MAX_VALUE : timeoutMillis * NANOS_PER_MILLI;
    }

    private static long saturatedNanos(Duration timeout) {
        return timeout.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : timeout.toNanos();
    }

    /** Rounded up, without the overflow that adding 999,999 to a saturated count would cause. */
    private static long roundedUpMillis(long leftNanos) {
        return leftNanos <= 0 ? 0 : leftNanos / NANOS_PER_MILLI + (leftNanos % NANOS_PER_MILLI == 0 ? 0 : 1);
    }

    /**
     * Sleeps before the next connect attempt, never much past the deadline; a
     * {@link io.pipekit.core.PipeInterruptedException} if the thread is interrupted (no connection
     * was made, so none is left open).
     */
    public void pauseBeforeRetry(String operation) throws PipeException {
        try {
            Thread.sleep(Math.min(leftMillis(), RETRY_PAUSE_MILLIS));
        } catch (InterruptedException e) {
            throw Interrupts.interrupted(operation, "no connection was made", e);
        }
    }
}
