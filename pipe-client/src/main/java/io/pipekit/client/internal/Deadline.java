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
 * timeout. A deadline made from {@link ClientConnection#NO_TIMEOUT} never passes.
 */
public final class Deadline {
    private static final long RETRY_PAUSE_MILLIS = 20;
    private static final long NANOS_PER_MILLI = 1_000_000;

    /** The deadline that never passes: shared, so an untimed call allocates none. */
    private static final Deadline NEVER = new Deadline(true, Duration.ZERO, System::nanoTime);

    private final LongSupplier clock;
    private final boolean unlimited;
    private final long deadlineNanos;

    /** {@code timeout} from now. */
    public static Deadline after(Duration timeout) {
        return new Deadline(false, timeout, System::nanoTime);
    }

    /** {@code timeoutMillis} from now, or never for a negative value ({@link ClientConnection#NO_TIMEOUT}). */
    public static Deadline afterMillis(long timeoutMillis) {
        return timeoutMillis < 0 ? NEVER : after(Duration.ofMillis(timeoutMillis));
    }

    /** A deadline read off {@code clock}, a {@link System#nanoTime()} stand-in for tests. */
    Deadline(boolean unlimited, Duration timeout, LongSupplier clock) {
        this.clock = clock;
        this.unlimited = unlimited;
        this.deadlineNanos = clock.getAsLong() + timeout.toNanos();
    }

    /** Whether the whole timeout has elapsed. */
    public boolean expired() {
        return !unlimited && clock.getAsLong() - deadlineNanos >= 0;
    }

    /**
     * Milliseconds left, rounded up, so that a wait this long does not end before the deadline;
     * 0 once it has passed; {@link ClientConnection#NO_TIMEOUT} if it never passes.
     */
    public long leftMillis() {
        if (unlimited) {
            return ClientConnection.NO_TIMEOUT;
        }
        long leftNanos = deadlineNanos - clock.getAsLong();
        return leftNanos <= 0 ? 0 : (leftNanos + NANOS_PER_MILLI - 1) / NANOS_PER_MILLI;
    }

    /**
     * {@link #expired()} without an object, for calls a stream makes thousands of times: whether
     * {@code timeoutMillis} (negative: never) has passed since {@code startNanos}.
     */
    public static boolean expired(long startNanos, long timeoutMillis) {
        return timeoutMillis >= 0 && System.nanoTime() - startNanos >= timeoutMillis * NANOS_PER_MILLI;
    }

    /** {@link #leftMillis()} without an object: see {@link #expired(long, long)}. */
    public static long leftMillis(long startNanos, long timeoutMillis) {
        if (timeoutMillis < 0) {
            return ClientConnection.NO_TIMEOUT;
        }
        long leftNanos = timeoutMillis * NANOS_PER_MILLI - (System.nanoTime() - startNanos);
        return leftNanos <= 0 ? 0 : (leftNanos + NANOS_PER_MILLI - 1) / NANOS_PER_MILLI;
    }

    /** Sleeps before the next connect attempt, never much past the deadline. */
    public void pauseBeforeRetry(String operation) throws PipeException {
        try {
            Thread.sleep(unlimited ? RETRY_PAUSE_MILLIS : Math.min(leftMillis(), RETRY_PAUSE_MILLIS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PipeException(operation, PipeException.NO_CODE, "interrupted", e);
        }
    }
}
