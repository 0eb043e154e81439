package io.pipekit.core.unix;

import io.pipekit.core.PipeException;
import java.nio.ByteBuffer;

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
            throw new PipeException("read frame", PipeException.NO_CODE,
                    "frame of " + length + " bytes announced, more than the limit of " + maxMessageSize);
        }
        return (int) length;
    }

    /** Writes the header for a message of {@code length} bytes into {@code buffer}. */
    public static void putHeader(ByteBuffer buffer, int length) {
        buffer.putInt(length);
    }
}
