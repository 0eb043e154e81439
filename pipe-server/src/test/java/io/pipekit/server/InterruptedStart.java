package io.pipekit.server;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.core.PipeInterruptedException;
import java.time.Duration;

/** {@code start()} on a thread that is interrupted: for tests of what it throws and leaves behind. */
final class InterruptedStart {
    private InterruptedStart() {
    }

    /**
     * Starts {@code builder}'s server on this thread with its interrupt flag set, and returns the
     * {@link PipeInterruptedException} start() must throw; fails if it returns a server, clears the flag,
     * or does not return within {@code timeout}. The flag is cleared again afterwards.
     */
    static PipeInterruptedException failure(PipeServer.Builder builder, Duration timeout) {
        return assertTimeoutPreemptively(timeout, () -> {
            Thread.currentThread().interrupt();
            try {
                builder.start().close();
                throw new AssertionError("start() returned a server to a thread that was interrupted");
            } catch (PipeInterruptedException expected) {
                assertTrue(Thread.interrupted(), "start() cleared the thread's interrupt flag");
                return expected;
            }
        }, "start() on an interrupted thread did not return");
    }
}
