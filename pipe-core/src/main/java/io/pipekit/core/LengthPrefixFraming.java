package io.pipekit.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Whole messages over a byte stream, each preceded by its length: how protocols on byte-type
 * pipes keep message boundaries. The prefix is 1, 2, 4 or 8 bytes, unsigned, in either byte
 * order. pipekit's own Unix framing is {@code u32be}; the OpenSSH agent's protocol is
 * {@code u32be} too; many Windows programs use {@code u32le}.
 *
 * <p>A length above {@link #maxFrameSize()} is refused with a {@link MessageTooLargeException}
 * as soon as its prefix is read, before anything is allocated for it; a stream that ends inside
 * a frame is a {@link PeerClosedException}, never a short message. Any {@link MessageCodec}
 * works unchanged over the frames.
 *
 * <pre>{@code
 * LengthPrefixFraming agent = LengthPrefixFraming.u32be(256 * 1024);
 * agent.write(client.outputStream(), request);
 * byte[] answer = agent.read(client.inputStream());
 * }</pre>
 */
public final class LengthPrefixFraming {
    private final int prefixBytes;
    private final ByteOrder order;
    private final int maxFrameSize;

    private LengthPrefixFraming(int prefixBytes, ByteOrder order, int maxFrameSize) {
        this.prefixBytes = prefixBytes;
        this.order = order;
        this.maxFrameSize = maxFrameSize;
    }

    /**
     * Frames with a {@code prefixBytes}-byte unsigned length in {@code order}, refusing frames
     * over {@code maxFrameSize} bytes.
     *
     * @throws IllegalArgumentException if the width is not 1, 2, 4 or 8, or the maximum is negative
     */
    public static LengthPrefixFraming of(int prefixBytes, ByteOrder order, int maxFrameSize) {
        if (prefixBytes != 1 && prefixBytes != 2 && prefixBytes != 4 && prefixBytes != 8) {
            throw new IllegalArgumentException("the length prefix is 1, 2, 4 or 8 bytes, not " + prefixBytes);
        }
        if (maxFrameSize < 0) {
            throw new IllegalArgumentException("maxFrameSize must not be negative, got " + maxFrameSize);
        }
        return new LengthPrefixFraming(prefixBytes, Objects.requireNonNull(order, "order"), maxFrameSize);
    }

    /** A 4-byte big-endian prefix: pipekit's Unix framing, and the OpenSSH agent's. */
    public static LengthPrefixFraming u32be(int maxFrameSize) {
        return of(4, ByteOrder.BIG_ENDIAN, maxFrameSize);
    }

    /** A 4-byte little-endian prefix. */
    public static LengthPrefixFraming u32le(int maxFrameSize) {
        return of(4, ByteOrder.LITTLE_ENDIAN, maxFrameSize);
    }

    public int prefixBytes() {
        return prefixBytes;
    }

    public ByteOrder order() {
        return order;
    }

    public int maxFrameSize() {
        return maxFrameSize;
    }

    /**
     * The frame of {@code message}: prefix and body in one array, ready for one write.
     *
     * @throws MessageTooLargeException if the message is over the maximum, or its length does not fit the prefix
     */
    public byte[] frame(byte[] message) throws MessageTooLargeException {
        long limit = prefixBytes == 8 ? Long.MAX_VALUE : (1L << (8 * prefixBytes)) - 1;
        if (message.length > maxFrameSize || message.length > limit) {
            throw new MessageTooLargeException("write frame", PipeException.NO_CODE, "a message of " + message.length
                    + " bytes is over the frame limit of " + Math.min(maxFrameSize, limit));
        }
        byte[] frame = new byte[prefixBytes + message.length];
        long length = message.length;
        for (int i = 0; i < prefixBytes; i++) {
            int shift = 8 * (order == ByteOrder.BIG_ENDIAN ? prefixBytes - 1 - i : i);
            frame[i] = (byte) (length >>> shift);
        }
        System.arraycopy(message, 0, frame, prefixBytes, message.length);
        return frame;
    }

    /** Writes one framed message in a single write call (on a message-type pipe, a single message). */
    public void write(OutputStream out, byte[] message) throws IOException {
        out.write(frame(message));
    }

    /** {@link #write(OutputStream, byte[])} of an encoded value. */
    public <T> void write(OutputStream out, MessageCodec<T> codec, T value) throws IOException {
        write(out, codec.encode(value));
    }

    /**
     * Reads one whole frame's message; {@code null} if the stream ends cleanly before a new frame.
     *
     * @throws MessageTooLargeException if the prefix announces more than the maximum (nothing is allocated for it)
     * @throws PeerClosedException if the stream ends inside a frame
     */
    public byte[] read(InputStream in) throws IOException {
        byte[] prefix = new byte[prefixBytes];
        int got = readUpTo(in, prefix, 0, prefixBytes);
        if (got == 0) {
            return null;
        }
        if (got < prefixBytes) {
            throw truncated(got, prefixBytes);
        }
        byte[] message = new byte[checkedLength(prefix)];
        got = readUpTo(in, message, 0, message.length);
        if (got < message.length) {
            throw truncated(prefixBytes + got, prefixBytes + message.length);
        }
        return message;
    }

    /**
     * {@link #read(InputStream)} decoded; {@code null} at a clean end of stream.
     *
     * @throws InvalidMessageException if the codec refused the message (its exception is the
     *     cause): the whole frame was read and is dropped, so the stream stays in step and the
     *     next read returns the frame after it
     */
    public <T> T read(InputStream in, MessageCodec<T> codec) throws IOException {
        Objects.requireNonNull(codec, "codec");
        byte[] message = read(in);
        if (message == null) {
            return null;
        }
        try {
            return codec.decode(message);
        } catch (RuntimeException e) {
            throw new InvalidMessageException("read frame", PipeException.NO_CODE,
                    "the codec refused a frame of " + message.length + " bytes (" + e + "); the stream stays in step", e);
        }
    }

    /** A decoder for bytes that arrive in chunks of any size, such as a byte-type server's reads. */
    public Decoder decoder() {
        return new Decoder();
    }

    private static int readUpTo(InputStream in, byte[] into, int offset, int length) throws IOException {
        int filled = 0;
        while (filled < length) {
            int n = in.read(into, offset + filled, length - filled);
            if (n < 0) {
                break;
            }
            filled += n;
        }
        return filled;
    }

    private int checkedLength(byte[] prefix) throws MessageTooLargeException {
        long length = 0;
        for (int i = 0; i < prefixBytes; i++) {
            int index = order == ByteOrder.BIG_ENDIAN ? i : prefixBytes - 1 - i;
            length = (length << 8) | (prefix[index] & 0xff);
        }
        // An 8-byte prefix can exceed Long.MAX_VALUE: negative here, and over any limit.
        if (length < 0 || length > maxFrameSize) {
            throw new MessageTooLargeException("read frame", PipeException.NO_CODE, "frame of "
                    + Long.toUnsignedString(length) + " bytes announced, more than the limit of " + maxFrameSize);
        }
        return (int) length;
    }

    private static PeerClosedException truncated(long got, long expected) {
        return new PeerClosedException("read frame", PipeException.NO_CODE,
                "the stream ended inside a frame, after " + got + " of its " + expected + " bytes");
    }

    /**
     * Cuts frames out of bytes fed in chunks of any size, however the frames are split across
     * them. One per connection; not thread-safe.
     */
    public final class Decoder {
        private final byte[] prefix = new byte[prefixBytes];
        private int prefixFilled;
        private byte[] body;
        private int bodyFilled;

        private Decoder() {
        }

        /**
         * Takes {@code length} bytes from {@code offset} and hands each message they complete to
         * {@code frames}, in order.
         *
         * @throws MessageTooLargeException if a prefix announces more than the maximum; the
         *     decoder is then unusable, and the connection should be closed
         */
        public void feed(byte[] bytes, int offset, int length, Consumer<byte[]> frames) throws MessageTooLargeException {
            int at = offset;
            int end = offset + length;
            while (at < end) {
                if (body == null) {
                    int take = Math.min(prefixBytes - prefixFilled, end - at);
                    System.arraycopy(bytes, at, prefix, prefixFilled, take);
                    prefixFilled += take;
                    at += take;
                    if (prefixFilled < prefixBytes) {
                        return;
                    }
                    body = new byte[checkedLength(prefix)];
                    bodyFilled = 0;
                }
                int take = Math.min(body.length - bodyFilled, end - at);
                System.arraycopy(bytes, at, body, bodyFilled, take);
                bodyFilled += take;
                at += take;
                if (bodyFilled == body.length) {
                    byte[] message = body;
                    body = null;
                    prefixFilled = 0;
                    frames.accept(message);
                }
            }
        }

        /** Whether part of a frame has been fed and the rest has not: an end of stream now is a truncation. */
        public boolean midFrame() {
            return prefixFilled > 0;
        }
    }
}
