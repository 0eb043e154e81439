package io.pipekit.core.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class FramesTest {

    @Test
    void frameIsTheBigEndianLengthThenTheMessageReadyToWrite() {
        ByteBuffer frame = Frames.frame(ByteBuffer.allocateDirect(64), new byte[] {7, 8, 9});

        assertEquals(7, frame.remaining());
        assertEquals(3, frame.getInt());
        assertEquals(7, frame.get());
        assertEquals(9, frame.get(6));
    }

    @Test
    void aBufferLargeEnoughIsReusedAndASmallOneReplacedByOneAtLeastTwiceItsSize() {
        ByteBuffer reused = ByteBuffer.allocateDirect(64);
        assertSame(reused, Frames.frame(reused, new byte[60]));

        ByteBuffer grown = Frames.frame(reused, new byte[61]);

        assertTrue(grown != reused && grown.capacity() >= 128 && grown.isDirect(), "capacity " + grown.capacity());
        assertEquals(65, grown.remaining());
    }
}
