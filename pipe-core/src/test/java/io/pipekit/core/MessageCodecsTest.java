package io.pipekit.core;

import static java.nio.charset.StandardCharsets.UTF_16LE;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MessageCodecsTest {
    private static final String NON_ASCII = "ação 𝄞";

    // --- utf16le, the plain name; tcharText, the sample's word for the same codec ---

    @Test
    void utf16leIsTheSamplesTextAndTcharTextIsItsAlias() {
        assertSame(MessageCodecs.utf16le(), MessageCodecs.tcharText());
        assertArrayEquals(new byte[] {'H', 0, 'i', 0, 0, 0}, MessageCodecs.utf16le().encode("Hi"));
        assertSame(MessageCodecs.utf16le(), MessageCodecs.text("utf-16le"));
    }

    // --- tcharText: UTF-16LE with one terminating NUL ---

    @Test
    void tcharTextEncodesAsUtf16LeWithATerminatingNul() {
        byte[] expected = {'H', 0, 'i', 0, 0, 0};
        assertArrayEquals(expected, MessageCodecs.tcharText().encode("Hi"));
    }

    @Test
    void tcharTextEncodesTheSampleAnswerByteExactly() {
        String answer = "Default answer from server";
        byte[] text = answer.getBytes(UTF_16LE);
        byte[] expected = Arrays.copyOf(text, text.length + 2);

        byte[] message = MessageCodecs.tcharText().encode(answer);

        assertEquals((answer.length() + 1) * 2, message.length);
        assertArrayEquals(expected, message);
    }

    @Test
    void tcharTextEncodesASupplementaryCharacterAsASurrogatePair() {
        byte[] expected = {0x34, (byte) 0xD8, 0x1E, (byte) 0xDD, 0, 0};
        assertArrayEquals(expected, MessageCodecs.tcharText().encode("𝄞"));
    }

    @Test
    void tcharTextEncodesTheEmptyStringAsJustTheNul() {
        assertArrayEquals(new byte[] {0, 0}, MessageCodecs.tcharText().encode(""));
    }

    @Test
    void tcharTextDecodeDropsTheTerminatingNul() {
        assertEquals("Hi", MessageCodecs.tcharText().decode(new byte[] {'H', 0, 'i', 0, 0, 0}));
    }

    @Test
    void tcharTextDecodeDropsExactlyOneNul() {
        assertEquals("H\0", MessageCodecs.tcharText().decode(new byte[] {'H', 0, 0, 0, 0, 0}));
    }

    @Test
    void tcharTextDecodeAcceptsAMessageWithoutNul() {
        assertEquals("Hi", MessageCodecs.tcharText().decode(new byte[] {'H', 0, 'i', 0}));
    }

    @Test
    void tcharTextDecodesEmptyMessagesAsTheEmptyString() {
        assertEquals("", MessageCodecs.tcharText().decode(new byte[0]));
        assertEquals("", MessageCodecs.tcharText().decode(new byte[] {0, 0}));
    }

    @Test
    void tcharTextDecodesTheSampleRequest() {
        byte[] text = "Default message from client.".getBytes(UTF_16LE);
        byte[] message = Arrays.copyOf(text, text.length + 2);

        assertEquals("Default message from client.", MessageCodecs.tcharText().decode(message));
    }

    @Test
    void tcharTextRefusesAnOddByteCount() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MessageCodecs.tcharText().decode(new byte[] {'H', 0, 'i'}));
        assertTrue(e.getMessage().contains("even number of bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("3"), e.getMessage());
    }

    @Test
    void tcharTextRefusesAnOddByteCountEvenWhenItEndsInZeros() {
        assertThrows(IllegalArgumentException.class,
                () -> MessageCodecs.tcharText().decode(new byte[] {'H', 0, 0}));
    }

    @Test
    void tcharTextRefusesALoneHighSurrogate() {
        byte[] message = {'A', 0, 0x00, (byte) 0xD8, 'B', 0, 0, 0};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MessageCodecs.tcharText().decode(message));
        assertTrue(e.getMessage().contains("UTF-16LE"), e.getMessage());
    }

    @Test
    void tcharTextRefusesAHighSurrogateJustBeforeTheNul() {
        byte[] message = {'A', 0, 0x00, (byte) 0xD8, 0, 0};
        assertThrows(IllegalArgumentException.class, () -> MessageCodecs.tcharText().decode(message));
    }

    @Test
    void tcharTextRefusesALoneLowSurrogate() {
        byte[] message = {0x00, (byte) 0xDC, 0, 0};
        assertThrows(IllegalArgumentException.class, () -> MessageCodecs.tcharText().decode(message));
    }

    @Test
    void tcharTextRoundTripsNonAsciiText() {
        MessageCodec<String> codec = MessageCodecs.tcharText();
        assertEquals(NON_ASCII, codec.decode(codec.encode(NON_ASCII)));
    }

    @Test
    void tcharTextRoundTripsTextThatEndsInNul() {
        MessageCodec<String> codec = MessageCodecs.tcharText();
        assertEquals("abc\0", codec.decode(codec.encode("abc\0")));
    }

    // --- utf8: no terminator, strict ---

    @Test
    void utf8EncodesWithoutATerminator() {
        byte[] expected = {'a', (byte) 0xC3, (byte) 0xA7, (byte) 0xC3, (byte) 0xA3, 'o'};
        assertArrayEquals(expected, MessageCodecs.utf8().encode("ação"));
    }

    @Test
    void utf8RoundTripsNonAsciiText() {
        MessageCodec<String> codec = MessageCodecs.utf8();
        assertEquals(NON_ASCII, codec.decode(codec.encode(NON_ASCII)));
        assertArrayEquals(NON_ASCII.getBytes(UTF_8), codec.encode(NON_ASCII));
    }

    @Test
    void utf8KeepsNulCharacters() {
        assertEquals("a\0", MessageCodecs.utf8().decode(new byte[] {'a', 0}));
    }

    @Test
    void utf8RefusesMalformedInput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MessageCodecs.utf8().decode(new byte[] {'a', (byte) 0xFF, 'b'}));
        assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
    }

    @Test
    void utf8RefusesATruncatedSequence() {
        assertThrows(IllegalArgumentException.class,
                () -> MessageCodecs.utf8().decode(new byte[] {'a', (byte) 0xC3}));
    }

    @Test
    void utf8RefusesAnOverlongEncoding() {
        assertThrows(IllegalArgumentException.class,
                () -> MessageCodecs.utf8().decode(new byte[] {(byte) 0xC0, (byte) 0xAF}));
    }

    @Test
    void utf8RefusesAnEncodedSurrogate() {
        assertThrows(IllegalArgumentException.class,
                () -> MessageCodecs.utf8().decode(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}));
    }

    // --- bytes ---

    @Test
    void bytesCodecPassesEveryByteValueThroughUnchanged() {
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        MessageCodec<byte[]> codec = MessageCodecs.bytes();

        assertArrayEquals(all, codec.encode(all.clone()));
        assertArrayEquals(all, codec.decode(all.clone()));
        assertArrayEquals(new byte[0], codec.decode(new byte[0]));
    }

    // --- text(encoding) ---

    @Test
    void textPicksTheTcharCodecForUtf16LeAndTchar() {
        byte[] tchar = {'H', 0, 'i', 0, 0, 0};
        assertArrayEquals(tchar, MessageCodecs.text("utf-16le").encode("Hi"));
        assertArrayEquals(tchar, MessageCodecs.text("UTF-16LE").encode("Hi"));
        assertArrayEquals(tchar, MessageCodecs.text("utf16le").encode("Hi"));
        assertArrayEquals(tchar, MessageCodecs.text("tchar").encode("Hi"));
        assertArrayEquals(tchar, MessageCodecs.text("TCHAR").encode("Hi"));
    }

    @Test
    void textPicksTheUtf8CodecForUtf8() {
        byte[] utf8 = {'H', 'i'};
        assertArrayEquals(utf8, MessageCodecs.text("UTF-8").encode("Hi"));
        assertArrayEquals(utf8, MessageCodecs.text("utf-8").encode("Hi"));
        assertArrayEquals(utf8, MessageCodecs.text("utf8").encode("Hi"));
    }

    @Test
    void unknownEncodingIsRefusedNamingTheChoices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MessageCodecs.text("latin1"));
        assertTrue(e.getMessage().contains("latin1"), e.getMessage());
        assertTrue(e.getMessage().contains("utf-16le"), e.getMessage());
        assertTrue(e.getMessage().contains("utf-8"), e.getMessage());
    }
}
