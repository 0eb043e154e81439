package io.pipekit.server.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.core.windows.Kernel32Ex;
import org.junit.jupiter.api.Test;

/** The server loop's back-off after failed listens: pure timing logic, so it runs on every OS. */
class ListenRetryTest {
    private static final long MS = 1_000_000L;

    @Test
    void withoutFailuresTheLoopWaitsForeverAndMayAlwaysTry() {
        ListenRetry retry = new ListenRetry();

        assertTrue(retry.mayTry(0));
        assertEquals(Kernel32Ex.INFINITE, retry.waitMillis(0));
    }

    @Test
    void onlyTheFirstFailureOfARunIsWorthAWarning() {
        ListenRetry retry = new ListenRetry();

        assertTrue(retry.failed(0));
        assertFalse(retry.failed(100 * MS));
        assertFalse(retry.failed(300 * MS));
        assertEquals(3, retry.succeeded());
        assertTrue(retry.failed(1_000 * MS), "a new run of failures after a success warns again");
    }

    @Test
    void pausesDoubleFromFiftyMillisecondsUpToTwoSeconds() {
        ListenRetry retry = new ListenRetry();
        long now = 0;
        long[] expectedPauses = {50, 100, 200, 400, 800, 1600, 2000, 2000, 2000};
        for (long pause : expectedPauses) {
            retry.failed(now);
            assertEquals(pause, retry.waitMillis(now));
            assertFalse(retry.mayTry(now + pause * MS - 1), "tried 1 ns before the pause of " + pause + " ms ended");
            now += pause * MS;
            assertTrue(retry.mayTry(now));
            assertEquals(0, retry.waitMillis(now));
        }
    }

    @Test
    void theWaitIsRoundedUpSoTheRetryIsNeverEarly() {
        ListenRetry retry = new ListenRetry();
        retry.failed(0);

        assertEquals(1, retry.waitMillis(50 * MS - 1));
        assertEquals(50, retry.waitMillis(1));
    }

    @Test
    void aSuccessEndsTheBackOff() {
        ListenRetry retry = new ListenRetry();
        retry.failed(0);

        assertEquals(1, retry.succeeded());
        assertTrue(retry.mayTry(1));
        assertEquals(Kernel32Ex.INFINITE, retry.waitMillis(1));
        assertEquals(0, retry.succeeded());
    }
}
