package io.pipekit.core.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.pipekit.core.LengthPrefixFraming;
import io.pipekit.core.MessageTooLargeException;
import io.pipekit.core.PeerClosedException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Fuzzes the byte-type pipes' length-prefixed framing, both ways it reads (a blocking
 * {@code read} from a stream, and the {@code Decoder} a byte-type server feeds), over every
 * prefix width and byte order: any bytes give the frames the wire holds, then the typed
 * message-too-large error at a refused prefix, the typed peer-closed error if the stream ends
 * inside a frame, or a clean end. Nothing else may be thrown.
 */
class LengthPrefixFramingFuzzTest {
    private static final int[] WIDTHS = {1, 2, 4, 8};

    @FuzzTest
    void anyStreamReadsAsTheWiresFramesThenATypedEnd(FuzzedDataProvider data) throws Exception {
        Case c = Case.from(data);
        LengthPrefixFraming framing = c.framing();
        WireModel expected = c.expected();

        InputStream in = new ShortReads(c.wire(), c.cuts());
        List<byte[]> frames = new ArrayList<>();
        String end;
        try {
            for (byte[] frame; (frame = framing.read(in)) != null; ) {
                frames.add(frame);
            }
            end = "clean";
        } catch (MessageTooLargeException e) {
            end = "oversized";
        } catch (PeerClosedException e) {
            end = "truncated";
        }

        assertFramesEqual(expected.frames(), frames);
        assertEquals(expected.oversized() ? "oversized" : expected.truncated() ? "truncated" : "clean", end);
    }

    @FuzzTest
    void anyChunksFedToTheDecoderGiveTheWiresFrames(FuzzedDataProvider data) throws Exception {
        Case c = Case.from(data);
        byte[] wire = c.wire();
        WireModel expected = c.expected();
        LengthPrefixFraming.Decoder decoder = c.framing().decoder();

        Random random = c.cuts();
        List<byte[]> frames = new ArrayList<>();
        boolean refused = false;
        try {
            for (int at = 0; at < wire.length; ) {
                int piece = Math.min(1 + random.nextInt(40), wire.length - at);
                decoder.feed(wire, at, piece, frames::add);
                at += piece;
            }
        } catch (MessageTooLargeException e) {
            refused = true;
        }

        assertFramesEqual(expected.frames(), frames);
        assertEquals(expected.oversized(), refused, "refused at an oversized prefix");
        if (!refused) {
            assertEquals(expected.truncated(), decoder.midFrame(), "mid-frame at the end of the wire");
        }
    }

    @FuzzTest
    void anyMessageWithinTheLimitSurvivesFramingAndReading(FuzzedDataProvider data) throws Exception {
        int width = data.pickValue(WIDTHS);
        boolean bigEndian = data.consumeBoolean();
        byte[] message = data.consumeRemainingAsBytes();
        LengthPrefixFraming framing = LengthPrefixFraming.of(width, bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN, 1 << 16);
        if (width == 1 && message.length > 255) {
            // A 1-byte prefix cannot say the length: framing refuses it, typed.
            org.junit.jupiter.api.Assertions.assertThrows(MessageTooLargeException.class, () -> framing.frame(message));
            return;
        }
        InputStream in = new ByteArrayInputStream(framing.frame(message));
        assertArrayEquals(message, framing.read(in));
        assertNull(framing.read(in), "one frame, then a clean end");
    }

    /** One fuzz input: a framing (width, byte order, limit), the cuts' seed and the wire, with its reference reading. */
    private record Case(LengthPrefixFraming framing, Random cuts, byte[] wire, WireModel expected) {
        static Case from(FuzzedDataProvider data) {
            int width = data.pickValue(WIDTHS);
            boolean bigEndian = data.consumeBoolean();
            int max = data.consumeInt(0, 300);
            long cuts = data.consumeLong();
            byte[] wire = data.consumeRemainingAsBytes();
            return new Case(LengthPrefixFraming.of(width, bigEndian ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN, max),
                    new Random(cuts), wire, WireModel.read(wire, width, bigEndian, max));
        }
    }

    private static void assertFramesEqual(List<byte[]> expected, List<byte[]> actual) {
        assertEquals(expected.size(), actual.size(), "frames decoded");
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), "frame " + i);
        }
    }

    /** A stream that hands out its bytes a few at a time, as a pipe's reads do. */
    private static final class ShortReads extends InputStream {
        private final byte[] bytes;
        private final Random random;
        private int at;

        ShortReads(byte[] bytes, Random random) {
            this.bytes = bytes;
            this.random = random;
        }

        @Override
        public int read() {
            return at < bytes.length ? bytes[at++] & 0xff : -1;
        }

        @Override
        public int read(byte[] into, int offset, int length) {
            if (at == bytes.length) {
                return -1;
            }
            int n = Math.min(Math.min(length, 1 + random.nextInt(16)), bytes.length - at);
            System.arraycopy(bytes, at, into, offset, n);
            at += n;
            return n;
        }
    }
}
