package io.pipekit.client.internal;

import io.pipekit.core.PipeException;
import java.time.Duration;

/**
 * The time a client has left to connect, and the short pause between attempts while the pipe
 * does not exist yet (the server may be starting), shared by both transports.
 */
public final class ConnectDeadline {
    private static final long RETRY_PAUSE_MILLIS = 20;

    private final long deadlineNanos;

    public ConnectDeadline(Duration timeout) {
        this.deadlineNanos = System.nanoTime() + timeout.toNanos();
    }

    /** Milliseconds left; zero or less once the deadline has passed. */
    public long leftMillis() {
        return (deadlineNanos - System.nanoTime()) / 1_000_000;
    }

    /** Sleeps before the next attempt, never past the deadline. */
    public void pauseBeforeRetry(String operation) throws PipeException {
        try {
            Thread.sleep(Math.max(0, Math.min(leftMillis(), RETRY_PAUSE_MILLIS)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PipeException(operation, PipeException.NO_CODE, "interrupted", e);
        }
    }
}
