package io.pipekit.core.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.pipekit.core.MessageTooLargeException;
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
        int max = data.consumeInt(0, 300);
        int chunk = data.consumeInt(1, 64);
        long cuts = data.consumeLong();
        byte[] wire = data.consumeRemainingAsBytes();
        WireModel expected = WireModel.read(wire, 4, true, max);

        FrameReader reader = new FrameReader(max, chunk);
        Random random = new Random(cuts);
        List<byte[]> frames = new ArrayList<>();
        boolean refused = false;
        int at = 0;
        feeding:
        while (at < wire.length) {
            int piece = Math.min(1 + random.nextInt(chunk + 8), Math.min(reader.input().remaining(), wire.length - at));
            reader.input().put(wire, at, piece);
            at += piece;
            try {
                for (byte[] frame; (frame = reader.next()) != null; ) {
                    frames.add(frame);
                }
            } catch (MessageTooLargeException e) {
                refused = true;
                break feeding;
            }
        }

        assertEquals(expected.frames().size(), frames.size(), "frames decoded");
        for (int i = 0; i < frames.size(); i++) {
            assertArrayEquals(expected.frames().get(i), frames.get(i), "frame " + i);
        }
        assertEquals(expected.oversized(), refused, "refused at an oversized header");
        if (!refused) {
            assertEquals(expected.truncated(), reader.midFrame(), "mid-frame at the end of the wire");
        }
    }

    @FuzzTest
    void anyBytesTakenAsAStreamGiveTheFramesBodiesInOrder(FuzzedDataProvider data) throws Exception {
        int max = data.consumeInt(0, 300);
        int chunk = data.consumeInt(1, 64);
        long cuts = data.consumeLong();
        byte[] wire = data.consumeRemainingAsBytes();
        WireModel expected = WireModel.read(wire, 4, true, max);

        FrameReader reader = new FrameReader(max, chunk);
        Random random = new Random(cuts);
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        byte[] into = new byte[chunk + 8];
        boolean refused = false;
        int at = 0;
        feeding:
        while (at < wire.length) {
            int piece = Math.min(1 + random.nextInt(chunk + 8), Math.min(reader.input().remaining(), wire.length - at));
            reader.input().put(wire, at, piece);
            at += piece;
            try {
                for (int n; (n = reader.take(into, 0, 1 + random.nextInt(into.length))) > 0; ) {
                    stream.write(into, 0, n);
                }
            } catch (MessageTooLargeException e) {
                refused = true;
                break feeding;
            }
        }

        byte[] bodies = expected.concatenated();
        byte[] got = stream.toByteArray();
        // A stream hands out a body's bytes as they come: past the last whole frame, the start of
        // a truncated one may be there too.
        assertTrue(got.length >= bodies.length, "a stream read gave " + got.length + " bytes, fewer than the " + bodies.length + " of whole frames");
        assertArrayEquals(bodies, java.util.Arrays.copyOf(got, bodies.length));
        if (!expected.truncated()) {
            assertEquals(bodies.length, got.length, "only a truncated last frame may add bytes");
        }
        assertEquals(expected.oversized(), refused, "refused at an oversized header");
    }
}
