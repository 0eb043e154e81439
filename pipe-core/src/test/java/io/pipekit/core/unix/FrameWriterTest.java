package io.pipekit.core.unix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class FrameWriterTest {

    private static byte[] body(int length) {
        byte[] body = new byte[length];
        for (int i = 0; i < length; i++) {
            body[i] = (byte) (i * 7 + 3);
        }
        return body;
    }

    private static byte[] frame(byte[] body) {
        return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
    }

    /**
     * What a non-blocking socket does: takes up to {@code accept} bytes per write (0 now and then:
     * full), as the writer's users drive it: write, then advance, until nothing is left.
     */
    private static byte[] drain(FrameWriter writer, int accept) {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        int writes = 0;
        do {
            ByteBuffer buffer = writer.buffer();
            int n = writes++ % 5 == 4 ? 0 : Math.min(accept, buffer.remaining());
            byte[] taken = new byte[n];
            buffer.get(taken);
            wire.write(taken, 0, n);
            assertTrue(buffer.capacity() <= FrameWriter.MAX_STAGING, "the staging buffer stays bounded");
        } while (writer.advance());
        return wire.toByteArray();
    }

    @Test
    void messageThatFitsIsOneBufferWithItsHeader() {
        FrameWriter writer = new FrameWriter(64);
        writer.start(body(10), 0, 10, true);

        assertEquals(14, writer.buffer().remaining());
        assertFalse(writer.hasUnstaged());
        assertArrayEquals(frame(body(10)), drain(writer, 1 << 30));
    }

    /**
     * Issue 28: a message larger than the staging buffer goes out whole and in order, piece by
     * piece, however the socket splits the writes, and the staging buffer never grows past its bound.
     */
    @Test
    void messageLargerThanTheStagingBufferGoesOutWholeInPieces() {
        for (int size : new int[] {FrameWriter.MAX_STAGING - 4, FrameWriter.MAX_STAGING - 3, FrameWriter.MAX_STAGING,
                3 * FrameWriter.MAX_STAGING + 17, 1 << 20}) {
            for (int accept : new int[] {1 << 30, 212_992, 100_001, 4096}) {
                FrameWriter writer = new FrameWriter(4096);
                writer.start(body(size), 0, size, true);
                assertArrayEquals(frame(body(size)), drain(writer, accept), size + " bytes, " + accept + " per write");
            }
        }
    }

    @Test
    void bufferMessageAndRawBytesGoOutAsGiven() {
        int size = 2 * FrameWriter.MAX_STAGING + 5;
        FrameWriter writer = new FrameWriter(16);
        ByteBuffer message = ByteBuffer.allocateDirect(size).put(body(size)).flip();
        writer.start(message, true);
        assertArrayEquals(frame(body(size)), drain(writer, 150_000));
        assertFalse(message.hasRemaining(), "the message is consumed");

        writer.start(body(size), 2, size - 2, false);
        byte[] expected = java.util.Arrays.copyOfRange(body(size), 2, size);
        assertArrayEquals(expected, drain(writer, 77_777), "no header on a byte-type pipe's stream");
    }

    @Test
    void nextMessageStartsCleanAfterALargeOneWasDiscarded() {
        FrameWriter writer = new FrameWriter(16);
        writer.start(body(1 << 20), 0, 1 << 20, true);
        writer.buffer().position(1000); // part went out, then the connection failed
        writer.discard();
        assertFalse(writer.advance());

        writer.start(body(5), 0, 5, true);
        assertArrayEquals(frame(body(5)), drain(writer, 3));
    }

    /**
     * Issue 28, push: small messages laid out behind one another leave in one buffer, each with its
     * header, in order; one that does not fit, or a message still being staged in pieces, is not
     * appended.
     */
    @Test
    void smallMessagesAppendedBehindTheFirstLeaveTogetherInOrder() {
        FrameWriter writer = new FrameWriter(64);
        writer.reserve(1000);
        writer.start(body(10), 0, 10, true);
        assertTrue(writer.append(body(20), true));
        assertTrue(writer.append(body(0), true));
        assertFalse(writer.append(body(2000), true), "more than the room left");
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(frame(body(10)));
        expected.writeBytes(frame(body(20)));
        expected.writeBytes(frame(body(0)));
        assertEquals(expected.size(), writer.buffer().remaining(), "one buffer holds all three");
        assertArrayEquals(expected.toByteArray(), drain(writer, 7));

        writer.start(body(FrameWriter.MAX_STAGING * 2), 0, FrameWriter.MAX_STAGING * 2, true);
        assertFalse(writer.append(body(1), true), "a message still being staged in pieces runs alone");
    }

    @Test
    void unframedBytesAppendAsTheyAre() {
        FrameWriter writer = new FrameWriter(64);
        writer.start(body(10), 0, 10, false);
        assertTrue(writer.append(body(5), false));
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(body(10));
        expected.writeBytes(body(5));
        assertArrayEquals(expected.toByteArray(), drain(writer, 1 << 30));
    }

    @Test
    void reserveGrowsTheBufferOnlyBetweenMessagesAndNeverPastItsBound() {
        FrameWriter writer = new FrameWriter(64);
        writer.reserve(10 * FrameWriter.MAX_STAGING);
        writer.start(body(FrameWriter.MAX_STAGING - 4), 0, FrameWriter.MAX_STAGING - 4, true);
        assertEquals(FrameWriter.MAX_STAGING, writer.buffer().capacity());
        assertEquals(FrameWriter.MAX_STAGING, writer.buffer().remaining(), "the whole frame in one buffer");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> writer.reserve(10));
    }
}
