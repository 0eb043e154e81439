package io.pipekit.netty.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The loop's wait timeout: rounded up, so that the loop neither wakes early and spins nor waits forever. */
class WaitTimeoutTest {

    @Test
    void aTaskDueNowOrOverdueMeansAPollingWait() {
        assertEquals(0, WaitTimeout.ceilMillis(0));
        assertEquals(0, WaitTimeout.ceilMillis(-5_000_000));
    }

    @Test
    void aDelayUnderOneMillisecondWaitsOneNotZero() {
        assertEquals(1, WaitTimeout.ceilMillis(1));
        assertEquals(1, WaitTimeout.ceilMillis(400_000));
        assertEquals(1, WaitTimeout.ceilMillis(1_000_000));
    }

    @Test
    void partMillisecondsRoundUp() {
        assertEquals(2, WaitTimeout.ceilMillis(1_000_001));
        assertEquals(200, WaitTimeout.ceilMillis(199_999_999));
        assertEquals(200, WaitTimeout.ceilMillis(200_000_000));
    }

    @Test
    void aFarDeadlineIsAFiniteWaitNeverInfinite() {
        int far = WaitTimeout.ceilMillis(Long.MAX_VALUE);
        assertEquals(Integer.MAX_VALUE - 1, far);
        assertEquals(false, far == WaitTimeout.INFINITE);
    }
}
