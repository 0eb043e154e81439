package io.pipekit.core;

import static java.nio.charset.StandardCharsets.UTF_16LE;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.util.Locale;

/**
 * The message codecs pipekit ships: raw bytes, the documented sample's UTF-16LE text
 * ({@link #utf16le()}, alias {@link #tcharText()}), and UTF-8.
 */
public final class MessageCodecs {
    private MessageCodecs() {
    }

    /** Bytes as they are. */
    public static MessageCodec<byte[]> bytes() {
        return Bytes.INSTANCE;
    }

    /**
     * The sample's wire format: UTF-16LE text with a terminating NUL, as a Unicode C program
     * sends a {@code TCHAR} string with {@code (lstrlen(s) + 1) * sizeof(TCHAR)} bytes. Decoding
     * drops the one terminating NUL and refuses an odd byte count or malformed UTF-16; a message
     * without its NUL is accepted, since C peers differ on sending it.
     */
    public static MessageCodec<String> utf16le() {
        return TcharText.INSTANCE;
    }

    /**
     * {@link #utf16le()} by the sample's word ({@code TCHAR} text in a Unicode build): the same
     * codec, the same instance.
     */
    public static MessageCodec<String> tcharText() {
        return utf16le();
    }

    /** UTF-8 text, no terminator. Decoding refuses malformed UTF-8. */
    public static MessageCodec<String> utf8() {
        return Utf8Text.INSTANCE;
    }

    /**
     * The codec for a command-line encoding name: {@code utf-16le} ({@link #utf16le()}) or
     * {@code utf-8} ({@link #utf8()}), case-insensitive.
     */
    public static MessageCodec<String> text(String encoding) {
        switch (encoding.toLowerCase(Locale.ROOT)) {
            case "utf-16le", "utf16le", "tchar":
                return utf16le();
            case "utf-8", "utf8":
                return utf8();
            default:
                throw new IllegalArgumentException("unknown encoding '" + encoding + "': use utf-16le (alias tchar) or utf-8");
        }
    }

    /**
     * {@code String.getBytes} is the JDK's fast path; it only misbehaves (substituting a
     * character) for an unpaired surrogate, which UTF-8 and UTF-16 cannot encode, so that one
     * case is checked first. (A {@code CharsetEncoder} over {@code CharBuffer.wrap(String)} would
     * refuse it too, but encodes char by char: ten times slower on a 64 KiB message.)
     */
    private static byte[] strictEncode(Charset charset, String text) {
        int bad = unpairedSurrogate(text);
        if (bad >= 0) {
            throw new IllegalArgumentException("text cannot be encoded as " + charset.name()
                    + ": unpaired surrogate U+" + String.format("%04X", (int) text.charAt(bad)) + " at index " + bad);
        }
        return text.getBytes(charset);
    }

    private static int unpairedSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    private static String strictDecode(Charset charset, byte[] message, int length) {
        try {
            return charset.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(message, 0, length))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("not valid " + charset.name() + " text: " + e.getMessage(), e);
        }
    }

    private enum Bytes implements MessageCodec<byte[]> {
        INSTANCE;

        @Override
        public byte[] encode(byte[] value) {
            return value;
        }

        @Override
        public byte[] decode(byte[] message) {
            return message;
        }
    }

    private enum TcharText implements MessageCodec<String> {
        INSTANCE;

        @Override
        public byte[] encode(String value) {
            byte[] text = strictEncode(UTF_16LE, value);
            byte[] message = new byte[text.length + 2];
            System.arraycopy(text, 0, message, 0, text.length);
            return message; // the last two bytes stay zero: the NUL
        }

        @Override
        public String decode(byte[] message) {
            if (message.length % 2 != 0) {
                throw new IllegalArgumentException("UTF-16LE text needs an even number of bytes, got " + message.length);
            }
            int length = message.length;
            if (length >= 2 && message[length - 1] == 0 && message[length - 2] == 0) {
                length -= 2;
            }
            return strictDecode(UTF_16LE, message, length);
        }
    }

    private enum Utf8Text implements MessageCodec<String> {
        INSTANCE;

        @Override
        public byte[] encode(String value) {
            return strictEncode(UTF_8, value);
        }

        @Override
        public String decode(byte[] message) {
            return strictDecode(UTF_8, message, message.length);
        }
    }
}
