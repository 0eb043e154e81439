package io.pipekit.core.unix;

import io.pipekit.core.PipeException;
import java.nio.ByteBuffer;
import io.pipekit.core.MessageTooLargeException;

/**
 * pipekit's framing on stream sockets: each message is a 4-byte big-endian unsigned length
 * followed by that many bytes (docs/protocol.md). Message boundaries are kept end to end, as
 * a message-type pipe keeps them.
 */
public final class Frames {
    /** Bytes in a frame header. */
    public static final int HEADER_BYTES = 4;

    private Frames() {
    }

    /**
     * The length a header announces, checked against {@code maxMessageSize}.
     *
     * @throws PipeException if the length exceeds the limit: the frame is refused before its
     *     body is read, so a wrong or hostile length cannot make the reader allocate it
     */
    public static int length(ByteBuffer header, int maxMessageSize) throws PipeException {
        long length = Integer.toUnsignedLong(header.getInt(header.position()));
        if (length > maxMessageSize) {
            throw new MessageTooLargeException("read frame", PipeException.NO_CODE,
                    "frame of " + length + " bytes announced" + asText(header) + ", more than the limit of " + maxMessageSize);
        }
        return (int) length;
    }

    /**
     * The header as text, when its 4 bytes are printable ASCII: a peer that sends no frames (a
     * byte-type server's "HTTP" or "{\"js") is then recognisable in the error. Otherwise empty.
     */
    private static String asText(ByteBuffer header) {
        StringBuilder text = new StringBuilder(" (its 4 bytes read \"");
        for (int i = 0; i < HEADER_BYTES; i++) {
            int b = header.get(header.position() + i) & 0xFF;
            if (b < 0x20 || b > 0x7E) {
                return "";
            }
            text.append((char) b);
        }
        return text.append("\" as text: is the peer sending frames?)").toString();
    }

    /**
     * Lays out one frame, header and message, ready to write: in {@code reuse} when it is large
     * enough (so steady-state writing allocates nothing), else in a new direct buffer at least
     * twice its size, which the caller keeps for next time.
     */
    public static ByteBuffer frame(ByteBuffer reuse, byte[] message) {
        return frame(reuse, message, 0, message.length);
    }

    /** {@link #frame(ByteBuffer, byte[])} of {@code length} bytes of {@code message} from {@code offset}. */
    public static ByteBuffer frame(ByteBuffer reuse, byte[] message, int offset, int length) {
        ByteBuffer buffer = room(reuse, HEADER_BYTES + length);
        buffer.putInt(length).put(message, offset, length).flip();
        return buffer;
    }

    /** Lays out bytes as they are, with no header: a byte-type pipe's stream. Reuses as {@link #frame} does. */
    public static ByteBuffer raw(ByteBuffer reuse, byte[] bytes, int offset, int length) {
        ByteBuffer buffer = room(reuse, length);
        buffer.put(bytes, offset, length).flip();
        return buffer;
    }

    /** {@link #frame(ByteBuffer, byte[])} of {@code message}'s remaining bytes, which it consumes. */
    public static ByteBuffer frame(ByteBuffer reuse, ByteBuffer message) {
        ByteBuffer buffer = room(reuse, HEADER_BYTES + message.remaining());
        buffer.putInt(message.remaining()).put(message).flip();
        return buffer;
    }

    /** {@link #raw(ByteBuffer, byte[], int, int)} of {@code bytes}' remaining bytes, which it consumes. */
    public static ByteBuffer raw(ByteBuffer reuse, ByteBuffer bytes) {
        ByteBuffer buffer = room(reuse, bytes.remaining());
        buffer.put(bytes).flip();
        return buffer;
    }

    private static ByteBuffer room(ByteBuffer reuse, int size) {
        ByteBuffer buffer = reuse.capacity() >= size ? reuse : ByteBuffer.allocateDirect(Math.max(size, 2 * reuse.capacity()));
        buffer.clear();
        return buffer;
    }
}
