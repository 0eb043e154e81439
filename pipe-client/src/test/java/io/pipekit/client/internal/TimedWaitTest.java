package io.pipekit.client.internal;

import static io.pipekit.core.Win32Errors.WAIT_TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Issue 29, "Receive timeouts can end early on Windows": a wait that the OS ends up to a timer
 * tick early must not become a time-out before the deadline. The OS wait here ends early on
 * purpose, as Windows' does (Wine's ends on time, so the rule could not show there).
 */
class TimedWaitTest {
    private static final long TICK_NANOS = 15_625_000;

    @Test
    void aWaitThatEndsOneTickEarlyIsFollowedByAnotherUntilTheDeadlineHasPassed() {
        AtomicLong now = new AtomicLong(5_000_000);
        long start = now.get();
        List<Long> asked = new ArrayList<>();
        TimedWait.Wait earlyByATick = millis -> {
            asked.add(millis);
            // A tick short of what was asked, but never less than a millisecond of real time.
            now.addAndGet(Math.max(millis * 1_000_000 - TICK_NANOS, 1_000_000));
            return WAIT_TIMEOUT;
        };

        int outcome = TimedWait.await(earlyByATick, WAIT_TIMEOUT, now::get, start, 200);

        assertEquals(WAIT_TIMEOUT, outcome);
        long elapsed = now.get() - start;
        assertTrue(elapsed >= 200_000_000L, "timed out after " + elapsed / 1e6 + " ms of a 200 ms deadline");
        assertTrue(elapsed < 202_000_000L, "and not much later: " + elapsed / 1e6 + " ms");
        assertEquals(200L, asked.get(0));
        assertEquals(16L, asked.get(1), "the second wait is for the 15.625 ms still left, rounded up");
        assertTrue(asked.size() < 30 && asked.stream().allMatch(m -> m >= 1), "never a wait of 0 or without limit: " + asked);
    }

    @Test
    void aCompletionEndsTheWaitAtOnce() {
        AtomicLong now = new AtomicLong();
        int[] waits = {0};
        int outcome = TimedWait.await(millis -> {
            waits[0]++;
            return waits[0] == 1 ? WAIT_TIMEOUT : 0; // early time-out, then the completion
        }, WAIT_TIMEOUT, now::get, 0, 200);
        assertEquals(0, outcome);
        assertEquals(2, waits[0]);
    }

    @Test
    void aDeadlineAlreadyPassedStillLooksOnceAndNoTimeoutWaitsWithoutLimit() {
        AtomicLong now = new AtomicLong(1_000_000_000);
        List<Long> asked = new ArrayList<>();
        assertEquals(WAIT_TIMEOUT, TimedWait.await(millis -> {
            asked.add(millis);
            return WAIT_TIMEOUT;
        }, WAIT_TIMEOUT, now::get, 0, 10));
        assertEquals(List.of(0L), asked, "one look, no wait");

        asked.clear();
        assertEquals(1, TimedWait.await(millis -> {
            asked.add(millis);
            return asked.size() < 3 ? WAIT_TIMEOUT : 1;
        }, WAIT_TIMEOUT, now::get, 0, -1));
        assertEquals(List.of(-1L, -1L, -1L), asked, "no limit: never a time-out");
    }
}
