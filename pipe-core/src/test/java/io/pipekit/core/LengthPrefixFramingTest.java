package io.pipekit.core;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class LengthPrefixFramingTest {

    @ParameterizedTest(name = "{0}-byte prefix, {1}")
    @CsvSource({"1, BIG_ENDIAN", "1, LITTLE_ENDIAN", "2, BIG_ENDIAN", "2, LITTLE_ENDIAN", "4, BIG_ENDIAN",
            "4, LITTLE_ENDIAN", "8, BIG_ENDIAN", "8, LITTLE_ENDIAN"})
    void messagesComeBackWholeHoweverTheStreamIsCut(int width, String orderName) throws Exception {
        ByteOrder order = orderName.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        LengthPrefixFraming framing = LengthPrefixFraming.of(width, order, 255);
        Random random = new Random(width);
        List<byte[]> sent = new ArrayList<>();
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        for (int i = 0; i < 50; i++) {
            byte[] message = new byte[random.nextInt(256)];
            random.nextBytes(message);
            sent.add(message);
            framing.write(wire, message);
        }
        byte[] bytes = wire.toByteArray();

        ByteArrayInputStream in = new ByteArrayInputStream(bytes);
        for (byte[] message : sent) {
            assertArrayEquals(message, framing.read(in));
        }
        assertNull(framing.read(in), "a clean end of stream between frames");

        // The same bytes fed to a decoder in chunks of 1 to 7 bytes.
        List<byte[]> decoded = new ArrayList<>();
        LengthPrefixFraming.Decoder decoder = framing.decoder();
        for (int at = 0; at < bytes.length; ) {
            int chunk = Math.min(1 + random.nextInt(7), bytes.length - at);
            decoder.feed(bytes, at, chunk, decoded::add);
            at += chunk;
        }
        assertEquals(sent.size(), decoded.size());
        for (int i = 0; i < sent.size(); i++) {
            assertArrayEquals(sent.get(i), decoded.get(i), "message " + i);
        }
        assertFalse(decoder.midFrame());
    }

    @Test
    void prefixIsTheLengthInTheChosenByteOrder() throws Exception {
        byte[] abc = "abc".getBytes(UTF_8);
        assertArrayEquals(new byte[] {0, 0, 0, 3, 'a', 'b', 'c'}, LengthPrefixFraming.u32be(16).frame(abc));
        assertArrayEquals(new byte[] {3, 0, 0, 0, 'a', 'b', 'c'}, LengthPrefixFraming.u32le(16).frame(abc));
        assertArrayEquals(new byte[] {0, 3, 'a', 'b', 'c'}, LengthPrefixFraming.of(2, ByteOrder.BIG_ENDIAN, 16).frame(abc));
    }

    @Test
    void lengthOverTheMaximumIsRefusedFromThePrefixAlone() {
        LengthPrefixFraming framing = LengthPrefixFraming.u32be(1024);
        // Only the prefix is there: a reader that allocated or waited for the body would not throw this.
        byte[] prefixOnly = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};

        MessageTooLargeException read = assertThrows(MessageTooLargeException.class,
                () -> framing.read(new ByteArrayInputStream(prefixOnly)));
        assertTrue(read.getMessage().contains("4294967295") && read.getMessage().contains("1024"), read.getMessage());
        assertThrows(MessageTooLargeException.class, () -> framing.decoder().feed(prefixOnly, 0, 4, message -> { }));
        assertThrows(MessageTooLargeException.class, () -> framing.frame(new byte[1025]));
        assertThrows(MessageTooLargeException.class, () -> LengthPrefixFraming.of(1, ByteOrder.BIG_ENDIAN, 1000).frame(new byte[256]),
                "256 does not fit a one-byte prefix");
        assertThrows(MessageTooLargeException.class, () -> LengthPrefixFraming.of(8, ByteOrder.BIG_ENDIAN, 1000)
                .read(new ByteArrayInputStream(new byte[] {(byte) 0x80, 0, 0, 0, 0, 0, 0, 0})), "above Long.MAX_VALUE");
    }

    @Test
    void streamEndingInsideAFrameIsAnErrorNotAShortMessage() throws Exception {
        LengthPrefixFraming framing = LengthPrefixFraming.u32be(1024);

        PeerClosedException inBody = assertThrows(PeerClosedException.class,
                () -> framing.read(new ByteArrayInputStream(new byte[] {0, 0, 0, 5, 'a', 'b'})));
        assertTrue(inBody.getMessage().contains("6 of its 9 bytes"), inBody.getMessage());
        assertThrows(PeerClosedException.class, () -> framing.read(new ByteArrayInputStream(new byte[] {0, 0})), "inside the prefix");

        LengthPrefixFraming.Decoder decoder = framing.decoder();
        decoder.feed(new byte[] {0, 0, 0, 5, 'a'}, 0, 5, message -> { });
        assertTrue(decoder.midFrame());
    }

    @Test
    void messageCodecWorksUnchangedOverFrames() throws Exception {
        LengthPrefixFraming framing = LengthPrefixFraming.u32le(1024);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        framing.write(wire, MessageCodecs.utf8(), "grüße");
        framing.write(wire, MessageCodecs.utf8(), "");

        ByteArrayInputStream in = new ByteArrayInputStream(wire.toByteArray());
        assertEquals("grüße", framing.read(in, MessageCodecs.utf8()));
        assertEquals("", framing.read(in, MessageCodecs.utf8()));
        assertNull(framing.read(in, MessageCodecs.utf8()));
    }

    @Test
    void aFrameTheCodecRefusesIsATypedFailureAndTheNextFrameStillReads() throws Exception {
        LengthPrefixFraming framing = LengthPrefixFraming.u32be(1024);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        framing.write(wire, new byte[] {(byte) 0xC3, (byte) 0x28}); // not UTF-8
        framing.write(wire, MessageCodecs.utf8(), "next");
        ByteArrayInputStream in = new ByteArrayInputStream(wire.toByteArray());

        InvalidMessageException refused = assertThrows(InvalidMessageException.class, () -> framing.read(in, MessageCodecs.utf8()));
        assertTrue(refused.getCause() instanceof IllegalArgumentException, "the codec's exception is the cause: " + refused.getCause());
        assertEquals("read frame", refused.operation());
        assertEquals("next", framing.read(in, MessageCodecs.utf8()), "the refused frame was read whole, the stream is still in step");
    }

    @Test
    void onlyTheFourWidthsAreAccepted() {
        assertThrows(IllegalArgumentException.class, () -> LengthPrefixFraming.of(3, ByteOrder.BIG_ENDIAN, 10));
        assertThrows(IllegalArgumentException.class, () -> LengthPrefixFraming.of(4, ByteOrder.BIG_ENDIAN, -1));
    }
}
