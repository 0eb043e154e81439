package io.pipekit.core.unix;

import io.pipekit.core.PipeException;
import java.nio.ByteBuffer;

/**
 * Cuts whole messages out of the bytes a non-blocking socket delivers, however they are
 * split: a header may arrive in pieces, a body in many reads, several frames in one read.
 * Bytes of a following frame stay buffered for the next {@link #next()}.
 *
 * <p>Its input buffer is reused; a message's body array is the only allocation per message.
 * That array grows as the body's bytes arrive, never far ahead of them: a header alone, announcing
 * a message up to the limit, costs no more than a read chunk; once a whole chunk of the body has
 * come, the array grows to the body's length up to {@link #EAGER_BODY_BYTES}, and beyond that by
 * doubling. So a message up to that size is copied into its array once, not once per doubling.
 *
 * <p>A large body is read straight into its array ({@link #readTarget()}): one read system call
 * takes whatever the socket holds of it, not one input buffer's worth, and no second copy follows.
 */
public final class FrameReader {
    /**
     * How large a body's array may grow ahead of its bytes, once a read chunk of it has come: a
     * peer that announces a large message and stalls costs at most this much heap. Measured: a
     * 1 MiB message grown by doubling from 64 KiB was copied twice and zeroed twice.
     */
    static final int EAGER_BODY_BYTES = 1 << 20;

    private final int maxMessageSize;
    private final ByteBuffer input;
    private byte[] body;
    private int bodyLength; // what the current frame's header announced
    private int bodyFilled;
    private int streamLeft; // for take(): bytes of the current frame's body not yet taken
    private long refusedLeft; // for next(): bytes of a refused frame's body still to drop
    private ByteBuffer bodyView; // over body: what readTarget() last handed out to read into

    /**
     * A reader refusing messages over {@code maxMessageSize}, reading up to {@code chunk} bytes
     * of message at a time. The buffer holds a header more than that, so a message of {@code chunk}
     * bytes arrives, header and all, in one read rather than two (measured: a 64 KiB round trip
     * took 2.7 reads and 0.7 selector waits on average with a buffer of exactly 64 KiB).
     */
    public FrameReader(int maxMessageSize, int chunk) {
        this.maxMessageSize = maxMessageSize;
        this.input = ByteBuffer.allocateDirect(chunk + Frames.HEADER_BYTES);
    }

    /** The buffer to read socket bytes into (in write mode). */
    public ByteBuffer input() {
        return input;
    }

    /**
     * Where the next read should go when messages are taken with {@link #next()}: the input
     * buffer, or, in the middle of a body of more than a read chunk with nothing buffered, the
     * rest of the body's own array (up to its length so far), so that a read takes all the
     * socket holds of the body at once and nothing is copied out of the input buffer after it.
     * A heap buffer: the JDK reads it through its per-thread temporary direct buffer.
     */
    public ByteBuffer readTarget() {
        if (body == null || input.position() > 0 || bodyLength - bodyFilled < input.capacity()) {
            return input; // small rests go through the input, where the next frame's header may follow
        }
        syncBodyView();
        if (body.length < bodyLength && body.length - bodyFilled < input.capacity()) {
            // Less room than a read chunk: grow now, or the next read would be a small one.
            body = java.util.Arrays.copyOf(body, grownLength(bodyFilled + input.capacity()));
        }
        if (bodyView == null || bodyView.array() != body) {
            bodyView = ByteBuffer.wrap(body);
        }
        bodyView.limit(body.length).position(bodyFilled);
        return bodyView;
    }

    /** Counts what a read into {@link #readTarget()}'s view of the body put there. */
    private void syncBodyView() {
        if (bodyView != null && bodyView.array() == body) {
            bodyFilled = Math.max(bodyFilled, bodyView.position());
        }
    }

    /**
     * The body array's next length, for {@code needed} bytes that have come: the whole body up to
     * {@link #EAGER_BODY_BYTES} (or the read chunk, if larger), else double, never over the body.
     */
    private int grownLength(int needed) {
        long eager = Math.max(EAGER_BODY_BYTES, input.capacity());
        return (int) Math.min(bodyLength, Math.max(needed, Math.max(2L * body.length, eager)));
    }

    /**
     * The next whole message from what has been read so far, or {@code null} if more bytes are
     * needed.
     *
     * @throws PipeException if a header announces more than the limit; that frame's body is
     *     then dropped as it arrives, and the next call goes on with the frame after it
     */
    public byte[] next() throws PipeException {
        input.flip();
        try {
            if (refusedLeft > 0) {
                int drop = (int) Math.min(refusedLeft, input.remaining());
                input.position(input.position() + drop);
                refusedLeft -= drop;
                if (refusedLeft > 0) {
                    return null;
                }
            }
            if (body == null) {
                if (input.remaining() < Frames.HEADER_BYTES) {
                    return null;
                }
                try {
                    bodyLength = Frames.length(input, maxMessageSize);
                } catch (PipeException tooLarge) {
                    // Keep the framing: a client that goes on reads the next frame, not this one's body.
                    refusedLeft = Integer.toUnsignedLong(input.getInt(input.position()));
                    input.position(input.position() + Frames.HEADER_BYTES);
                    throw tooLarge;
                }
                input.position(input.position() + Frames.HEADER_BYTES);
                body = new byte[Math.min(bodyLength, input.capacity())];
                bodyFilled = 0;
            } else {
                syncBodyView();
            }
            int take = Math.min(input.remaining(), bodyLength - bodyFilled);
            if (bodyFilled + take > body.length) {
                body = java.util.Arrays.copyOf(body, grownLength(bodyFilled + take));
            }
            input.get(body, bodyFilled, take);
            bodyFilled += take;
            if (bodyFilled < bodyLength) {
                return null;
            }
            byte[] message = body;
            body = null;
            bodyView = null;
            return message;
        } finally {
            input.compact();
        }
    }

    /**
     * Reading frames as one stream of bytes (a message-type pipe read in byte mode): copies up to
     * {@code length} bytes of message bodies, in order and without their boundaries, out of what
     * has been read, allocating nothing. Returns 0 when more bytes must be read first. Use either
     * this or {@link #next()} on one reader, not both.
     *
     * @throws PipeException if a header announces more than the limit
     */
    public int take(byte[] into, int offset, int length) throws PipeException {
        input.flip();
        try {
            int count = Math.min(length, bodyBytesReady());
            input.get(into, offset, count);
            streamLeft -= count;
            return count;
        } finally {
            input.compact();
        }
    }

    /** {@link #take(byte[], int, int)} into what {@code into} has room for. */
    public int take(ByteBuffer into) throws PipeException {
        input.flip();
        try {
            int count = Math.min(into.remaining(), bodyBytesReady());
            moveTo(into, count);
            streamLeft -= count;
            return count;
        } finally {
            input.compact();
        }
    }

    /** With the input flipped: skips headers up to the next body byte; how many body bytes are ready. */
    private int bodyBytesReady() throws PipeException {
        while (streamLeft == 0) {
            if (input.remaining() < Frames.HEADER_BYTES) {
                return 0;
            }
            streamLeft = Frames.length(input, maxMessageSize);
            input.position(input.position() + Frames.HEADER_BYTES);
        }
        return Math.min(streamLeft, input.remaining());
    }

    /** With the input flipped: moves {@code count} bytes to {@code into}, allocating nothing. */
    private void moveTo(ByteBuffer into, int count) {
        int limit = input.limit();
        input.limit(input.position() + count);
        into.put(input);
        input.limit(limit);
    }

    /**
     * A byte-type pipe's stream, which has no frames: every byte read so far, as one chunk, or
     * {@code null} if there is none.
     */
    public byte[] nextChunk() {
        if (input.position() == 0) {
            return null;
        }
        byte[] chunk = new byte[input.position()];
        takeBytes(chunk, 0, chunk.length);
        return chunk;
    }

    /** A byte-type pipe's stream: up to {@code length} of the bytes read so far, allocating nothing. */
    public int takeBytes(byte[] into, int offset, int length) {
        input.flip();
        int count = Math.min(length, input.remaining());
        input.get(into, offset, count);
        input.compact();
        return count;
    }

    /** {@link #takeBytes(byte[], int, int)} into what {@code into} has room for. */
    public int takeBytes(ByteBuffer into) {
        input.flip();
        int count = Math.min(into.remaining(), input.remaining());
        moveTo(into, count);
        input.compact();
        return count;
    }

    /** Whether part of a frame has arrived and the rest has not: end of stream now means a truncated frame. */
    public boolean midFrame() {
        return body != null || streamLeft > 0 || input.position() > 0;
    }
}
