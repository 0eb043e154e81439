package io.pipekit.core.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.pipekit.core.MessageTooLargeException;
import io.pipekit.core.PipeException;
import io.pipekit.core.unix.FrameReader;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Fuzzes the Unix transport's frame reader, which sees every byte a peer sends: any bytes, cut
 * into reads of any size, give exactly the frames the wire holds, then either the typed
 * message-too-large error at the first refused header or, at the end, "mid-frame" exactly when
 * the wire stops inside a frame. Nothing else may be thrown.
 *
 * <p>Plain {@code mvn test} runs the seeds in {@code FrameReaderFuzzTestInputs} (and every crash
 * Jazzer ever saved there); {@code bench/fuzz.sh} fuzzes.
 */
class FrameReaderFuzzTest {

    @FuzzTest
    void anyBytesCutAnywhereGiveTheWiresFramesOrTheTypedError(FuzzedDataProvider data) throws Exception {
        Case c = Case.from(data);
        List<byte[]> frames = new ArrayList<>();
        // Into readTarget(), as the transport reads for next(): a long body's rest goes to its array.
        boolean refused = c.feed(true, () -> {
            for (byte[] frame; (frame = c.reader.next()) != null; ) {
                frames.add(frame);
            }
        });

        assertEquals(c.expected.frames().size(), frames.size(), "frames decoded");
        for (int i = 0; i < frames.size(); i++) {
            assertArrayEquals(c.expected.frames().get(i), frames.get(i), "frame " + i);
        }
        assertEquals(c.expected.oversized(), refused, "refused at an oversized header");
        if (!refused) {
            assertEquals(c.expected.truncated(), c.reader.midFrame(), "mid-frame at the end of the wire");
        }
    }

    @FuzzTest
    void anyBytesTakenAsAStreamGiveTheFramesBodiesInOrder(FuzzedDataProvider data) throws Exception {
        Case c = Case.from(data);
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        byte[] into = new byte[c.chunk + 8];
        boolean refused = c.feed(false, () -> {
            for (int n; (n = c.reader.take(into, 0, 1 + c.random.nextInt(into.length))) > 0; ) {
                stream.write(into, 0, n);
            }
        });

        byte[] bodies = c.expected.concatenated();
        byte[] got = stream.toByteArray();
        // A stream hands out a body's bytes as they come: past the last whole frame, the start of
        // a truncated one may be there too.
        assertTrue(got.length >= bodies.length, "a stream read gave " + got.length + " bytes, fewer than the " + bodies.length + " of whole frames");
        assertArrayEquals(bodies, java.util.Arrays.copyOf(got, bodies.length));
        if (!c.expected.truncated()) {
            assertEquals(bodies.length, got.length, "only a truncated last frame may add bytes");
        }
        assertEquals(c.expected.oversized(), refused, "refused at an oversized header");
    }

    /** What the reader does with the bytes read so far; the typed refusal ends the feeding. */
    @FunctionalInterface
    private interface Drain {
        void run() throws PipeException;
    }

    /** One fuzz input: a limit, a read size, the cuts' seed and the wire, with its reference reading. */
    private static final class Case {
        final int chunk;
        final Random random;
        final byte[] wire;
        final WireModel expected;
        final FrameReader reader;

        private Case(int max, int chunk, long cuts, byte[] wire) {
            this.chunk = chunk;
            this.random = new Random(cuts);
            this.wire = wire;
            this.expected = WireModel.read(wire, 4, true, max);
            this.reader = new FrameReader(max, chunk);
        }

        static Case from(FuzzedDataProvider data) {
            int max = data.consumeInt(0, 300);
            int chunk = data.consumeInt(1, 64);
            long cuts = data.consumeLong();
            return new Case(max, chunk, cuts, data.consumeRemainingAsBytes());
        }

        /**
         * Feeds the wire to the reader in random pieces, draining after each, into its input or, if
         * {@code intoTarget}, where {@link FrameReader#readTarget()} says; true if it was refused.
         */
        boolean feed(boolean intoTarget, Drain drain) throws PipeException {
            for (int at = 0; at < wire.length; ) {
                java.nio.ByteBuffer target = intoTarget ? reader.readTarget() : reader.input();
                int piece = Math.min(1 + random.nextInt(chunk + 8), Math.min(target.remaining(), wire.length - at));
                target.put(wire, at, piece);
                at += piece;
                try {
                    drain.run();
                } catch (MessageTooLargeException e) {
                    return true;
                }
            }
            return false;
        }
    }
}
