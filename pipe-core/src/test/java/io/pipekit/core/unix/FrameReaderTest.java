package io.pipekit.core.unix;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.core.PipeException;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class FrameReaderTest {

    private static byte[] frame(String text) {
        byte[] body = text.getBytes(UTF_8);
        return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
    }

    @Test
    void frameSplitIntoSingleBytesComesOutWhole() throws Exception {
        FrameReader reader = new FrameReader(1024, 16);
        byte[] wire = frame("one message");
        for (int i = 0; i < wire.length - 1; i++) {
            reader.input().put(wire[i]);
            assertNull(reader.next(), "no message before its last byte");
            assertTrue(reader.midFrame());
        }
        reader.input().put(wire[wire.length - 1]);

        assertArrayEquals("one message".getBytes(UTF_8), reader.next());
        assertFalse(reader.midFrame());
    }

    @Test
    void severalFramesInOneReadComeOutOneByOne() throws Exception {
        FrameReader reader = new FrameReader(1024, 64);
        reader.input().put(frame("a")).put(frame("")).put(frame("ccc"));

        assertArrayEquals("a".getBytes(UTF_8), reader.next());
        assertArrayEquals(new byte[0], reader.next());
        assertArrayEquals("ccc".getBytes(UTF_8), reader.next());
        assertNull(reader.next());
    }

    @Test
    void bodyLargerThanTheReadChunkIsAssembledAcrossReads() throws Exception {
        FrameReader reader = new FrameReader(1 << 20, 8);
        ByteBuffer wire = ByteBuffer.wrap(frame("a body much longer than the eight-byte chunk"));
        byte[] message = null;
        while (message == null) {
            int n = Math.min(reader.input().remaining(), wire.remaining());
            reader.input().put(wire.array(), wire.position(), n);
            wire.position(wire.position() + n);
            message = reader.next();
        }
        assertArrayEquals("a body much longer than the eight-byte chunk".getBytes(UTF_8), message);
    }

    @Test
    void lengthOverTheLimitIsRefusedFromTheHeaderAlone() {
        FrameReader reader = new FrameReader(1024, 16);
        reader.input().putInt(0xFFFF_FFFF); // 4 GiB - 1, read as unsigned

        PipeException e = assertThrows(PipeException.class, reader::next);
        assertTrue(e.getMessage().contains("4294967295") && e.getMessage().contains("1024"), e.getMessage());
    }

    /**
     * Defect 7 on Unix: after a refused frame every later next() threw again, from the same
     * header; a client that goes on must get the frame after it, its body dropped as it arrives.
     */
    @Test
    void refusedFrameIsSkippedWholeAndTheNextFrameComesOut() throws Exception {
        FrameReader reader = new FrameReader(10, 8);
        ByteBuffer wire = ByteBuffer.allocate(100);
        wire.put(frame("a body over the ten-byte limit")).put(frame("ok")).flip();
        reader.input().put(wire.array(), 0, 6); // the header and two bytes of the body
        wire.position(6);
        assertThrows(PipeException.class, reader::next);

        byte[] message = null;
        while (message == null && wire.hasRemaining()) {
            int n = Math.min(reader.input().remaining(), wire.remaining());
            reader.input().put(wire.array(), wire.position(), n);
            wire.position(wire.position() + n);
            message = reader.next(); // the refused body, dropped, then "ok"
        }
        assertArrayEquals("ok".getBytes(UTF_8), message);
        assertNull(reader.next());
    }

    @Test
    void framesTakenAsAStreamAreTheirBodiesOneAfterAnother() throws Exception {
        FrameReader reader = new FrameReader(1024, 64);
        reader.input().put(frame("ab")).put(frame("")).put(frame("cde"));
        byte[] two = new byte[2];
        StringBuilder stream = new StringBuilder();
        for (int n; (n = reader.take(two, 0, 2)) > 0; ) {
            stream.append(new String(two, 0, n, UTF_8));
        }
        assertEquals("abcde", stream.toString());
        assertFalse(reader.midFrame());

        reader.input().put(frame("fgh"), 0, 5); // the header and one byte of the body
        assertEquals(1, reader.take(two, 0, 2));
        assertTrue(reader.midFrame(), "two bytes of the body are still to come");
        assertEquals(0, reader.take(two, 0, 2), "nothing more until more is read");
    }

    @Test
    void byteTypeStreamComesOutAsReadWithNoHeaderTakenFromIt() {
        FrameReader reader = new FrameReader(1024, 16);
        reader.input().put("abcdef".getBytes(UTF_8));
        byte[] two = new byte[2];

        assertEquals(2, reader.takeBytes(two, 0, 2));
        assertArrayEquals("ab".getBytes(UTF_8), two);
        assertArrayEquals("cdef".getBytes(UTF_8), reader.nextChunk(), "the rest, whatever its first bytes would say as a header");
        assertNull(reader.nextChunk());
        assertEquals(0, reader.takeBytes(two, 0, 2));
    }

    @Test
    void framesTakenIntoABufferStopAtItsRoomAndSkipEveryHeader() throws Exception {
        FrameReader reader = new FrameReader(1024, 64);
        reader.input().put(frame("ab")).put(frame("")).put(frame("cde"));
        java.nio.ByteBuffer three = java.nio.ByteBuffer.allocateDirect(3);

        assertEquals(2, reader.take(three), "the first body, then a header to skip before more");
        assertEquals(1, reader.take(three), "the buffer's last byte of room");
        assertEquals(0, reader.take(three), "a full buffer takes nothing");
        three.flip();
        byte[] got = new byte[3];
        three.get(got);
        assertEquals("abc", new String(got, UTF_8));

        java.nio.ByteBuffer rest = java.nio.ByteBuffer.allocate(8);
        assertEquals(2, reader.take(rest));
        assertEquals("de", new String(rest.array(), 0, rest.position(), UTF_8));
        assertFalse(reader.midFrame());
    }

    @Test
    void byteTypeStreamTakenIntoABufferLeavesWhatDoesNotFit() {
        FrameReader reader = new FrameReader(1024, 16);
        reader.input().put("abcdef".getBytes(UTF_8));
        java.nio.ByteBuffer four = java.nio.ByteBuffer.allocateDirect(4);

        assertEquals(4, reader.takeBytes(four));
        assertEquals(0, four.remaining());
        assertArrayEquals("ef".getBytes(UTF_8), reader.nextChunk());
    }

    /**
     * Issue 24: a header announcing a large message, followed by a few bytes and then nothing
     * (a client that stalls), must not cost the whole announced body: many such clients would
     * exhaust the heap. The body grows as its bytes arrive.
     */
    @Test
    void headerAnnouncingSixteenMebibytesCostsNoMoreThanTheBytesThatCame() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        int announced = 16 << 20;
        FrameReader reader = new FrameReader(32 << 20, 64 * 1024);
        reader.input().putInt(announced).put(new byte[] {1, 2, 3});
        long before = threads.getCurrentThreadAllocatedBytes();

        assertNull(reader.next());

        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 1 << 20, "a stalled 16 MiB frame cost " + allocated + " bytes of heap at its header");
        byte[] expected = new byte[announced];
        expected[0] = 1;
        expected[1] = 2;
        expected[2] = 3;
        for (int i = 3; i < announced; i++) {
            expected[i] = (byte) (i * 31);
        }
        byte[] message = null;
        for (int sent = 3; sent < announced; ) {
            int n = Math.min(reader.input().remaining(), Math.min(announced - sent, 50_000));
            reader.input().put(expected, sent, n);
            sent += n;
            message = reader.next();
            assertTrue(message == null || sent == announced, "a message before its last byte");
        }
        assertArrayEquals(expected, message, "the body, grown piece by piece, is the message sent");
    }

    /** What a socket's reads do: put up to {@code piece} bytes of {@code wire} where the reader says. */
    private static java.util.List<byte[]> readAll(FrameReader reader, ByteBuffer wire, int piece) throws PipeException {
        java.util.List<byte[]> messages = new java.util.ArrayList<>();
        while (true) {
            for (byte[] m; (m = reader.next()) != null; ) {
                messages.add(m);
            }
            if (!wire.hasRemaining()) {
                return messages;
            }
            ByteBuffer target = reader.readTarget();
            int n = Math.min(piece, Math.min(target.remaining(), wire.remaining()));
            assertTrue(n > 0, "the read target has room while a frame is incomplete");
            target.put(wire.array(), wire.position(), n);
            wire.position(wire.position() + n);
        }
    }

    private static byte[] body(int length, int seed) {
        byte[] body = new byte[length];
        for (int i = 0; i < length; i++) {
            body[i] = (byte) (i * 31 + seed);
        }
        return body;
    }

    /**
     * Issue 28: a body of more than a read chunk is read straight into its array once its header
     * is known; whatever the sizes around the chunk and the eager bound, and however the socket
     * splits the bytes, every frame comes out whole and the frame after it too.
     */
    @Test
    void framesAroundTheChunkAndEagerBoundsComeOutWholeWhenReadIntoTheirArrays() throws Exception {
        int chunk = 1000;
        int eager = FrameReader.EAGER_BODY_BYTES;
        int[] sizes = {0, 1, chunk - 1, chunk, chunk + 1, chunk + 4, 3 * chunk + 7, eager - 1, eager, eager + 1, 2 * eager + 3};
        for (int piece : new int[] {1 << 30, 65_536, chunk + 4, 777}) {
            FrameReader reader = new FrameReader(4 * eager, chunk);
            ByteBuffer wire = ByteBuffer.allocate(java.util.Arrays.stream(sizes).map(n -> n + 4).sum());
            for (int i = 0; i < sizes.length; i++) {
                wire.putInt(sizes[i]).put(body(sizes[i], i));
            }
            wire.flip();
            java.util.List<byte[]> messages = readAll(reader, wire, piece);
            assertEquals(sizes.length, messages.size(), "pieces of " + piece);
            for (int i = 0; i < sizes.length; i++) {
                assertArrayEquals(body(sizes[i], i), messages.get(i), "frame " + i + " of " + sizes[i] + " bytes, pieces of " + piece);
            }
            assertFalse(reader.midFrame());
        }
    }

    /** The rest of a large body goes to its own array, not through the input buffer and a copy. */
    @Test
    void largeBodyRestIsReadIntoTheMessageArrayItself() throws Exception {
        FrameReader reader = new FrameReader(1 << 20, 64);
        reader.input().putInt(10_000).put(body(64, 0));
        assertNull(reader.next());

        ByteBuffer target = reader.readTarget();
        assertFalse(target.isDirect(), "the body's array, not the input buffer");
        assertEquals(10_000 - 64, target.remaining(), "room for the whole rest of the body");
        target.put(body(10_000, 0), 64, 10_000 - 64);
        byte[] message = reader.next();

        assertTrue(message == target.array(), "the array read into is the message handed out");
        assertArrayEquals(body(10_000, 0), message);
        assertTrue(reader.readTarget() == reader.input(), "between frames, reads go to the input buffer again");
    }

    /**
     * The eager growth is bounded: a header announcing 16 MiB followed by one read chunk of body,
     * then nothing (a stalled or hostile peer), costs the heap at most the eager bound, not the
     * announced length.
     */
    @Test
    void stalledSixteenMebibyteFrameCostsAtMostTheEagerBoundAfterAChunk() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        int chunk = 64 * 1024;
        FrameReader reader = new FrameReader(32 << 20, chunk);
        reader.input().putInt(16 << 20).put(body(chunk, 0));
        long before = threads.getCurrentThreadAllocatedBytes();

        assertNull(reader.next());
        ByteBuffer target = reader.readTarget();

        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(FrameReader.EAGER_BODY_BYTES - chunk, target.remaining(), "the array grew to the eager bound, no further");
        assertTrue(allocated < FrameReader.EAGER_BODY_BYTES + 2L * chunk,
                "a stalled 16 MiB frame cost " + allocated + " bytes of heap after one chunk of it");
    }
}
