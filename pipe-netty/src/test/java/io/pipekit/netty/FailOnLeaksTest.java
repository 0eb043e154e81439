package io.pipekit.netty;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The leak check the suite relies on finds a leak: else a green run would prove nothing about buffers. */
class FailOnLeaksTest {

    @Test
    void aBufferNobodyReleasedIsReportedOnceItIsCollected() {
        FailOnLeaks.install();
        FailOnLeaks.leaksSoFar(); // start clean
        leakOne();
        List<String> leaks = List.of();
        // The collector decides when the lost buffer goes; each round asks it again (a bound, not a wait).
        for (int tries = 0; tries < 50 && leaks.isEmpty(); tries++) {
            leaks = FailOnLeaks.leaksSoFar(1);
        }
        assertFalse(leaks.isEmpty(), "the lost buffer was not reported");
        assertTrue(leaks.get(0).startsWith("LEAK: ByteBuf"), leaks.get(0));
        assertTrue(FailOnLeaks.leaksSoFar().isEmpty(), "a leak is reported once");
    }

    @Test
    void releasedBuffersAreNoLeak() {
        FailOnLeaks.install();
        FailOnLeaks.leaksSoFar();
        PooledByteBufAllocator.DEFAULT.directBuffer(64).writeLong(1).release();
        assertTrue(FailOnLeaks.leaksSoFar().isEmpty());
    }

    private static void leakOne() {
        ByteBuf lost = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        lost.writeLong(42); // and never released
    }
}
