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
}
