package io.pipekit.client.internal;

import io.pipekit.core.transport.ClientConnection;
import java.util.function.LongSupplier;

/**
 * A wait for an I/O completion that never gives up before its deadline. Windows rounds timed
 * waits to its timer tick, so {@code WaitForMultipleObjects(200)} may report {@code WAIT_TIMEOUT}
 * up to one tick (15.6 ms) early ("Wait Functions and Time-out Intervals"): a time-out is taken
 * for one only once the clock says the deadline has passed, and otherwise the wait goes on for
 * the time still left. Pure Java, so that the rule is tested with a clock and a wait the test
 * drives.
 */
public final class TimedWait {
    /** One wait of the OS. */
    @FunctionalInterface
    public interface Wait {
        /**
         * Waits at most {@code millis} (0: only looks; {@link ClientConnection#NO_TIMEOUT}: no
         * limit) and returns what the OS said: {@code timedOut} or another outcome.
         */
        int waitMillis(long millis);
    }

    private TimedWait() {
    }

    /**
     * Waits until {@code wait} reports something other than {@code timedOut}, or until
     * {@code timeoutMillis} after {@code startNanos} has passed on {@code clock}; returns the
     * outcome ({@code timedOut} only once the deadline has passed). The first wait happens even
     * when no time is left, as a look: what has completed meanwhile is reported as such.
     */
    public static int await(Wait wait, int timedOut, LongSupplier clock, long startNanos, long timeoutMillis) {
        long left = Deadline.leftMillis(clock, startNanos, timeoutMillis);
        while (true) {
            int outcome = wait.waitMillis(left);
            if (outcome != timedOut) {
                return outcome;
            }
            left = Deadline.leftMillis(clock, startNanos, timeoutMillis);
            if (left == 0) {
                return timedOut;
            }
            // Ended early (a timer tick), or, with no limit, a wait that should not end at all: again.
        }
    }
}
