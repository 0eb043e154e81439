package io.pipekit.core.unix;

import java.nio.ByteBuffer;

/**
 * One message at a time on its way to a non-blocking socket, through a direct staging buffer of
 * bounded size: a message that fits is laid out whole (header and body, one write), a larger one
 * goes out in pieces, each copied from the caller's array or buffer just before it is written.
 * So the first bytes of a large message leave before the rest is copied (the reader starts while
 * the writer copies), the copy stays in the cache the kernel reads it from, and the buffer is at
 * most {@link #MAX_STAGING} bytes however large the messages: it used to grow to twice the
 * largest message, per connection.
 *
 * <p>Use: {@link #start}, then write {@link #buffer()} and call {@link #advance()} after each
 * write, until {@link #advance()} says nothing is left; steady-state writing allocates nothing.
 */
public final class FrameWriter {
    /**
     * The largest staging buffer: more than a Unix socket's default send buffer (208 KiB on
     * Linux), so a non-blocking write is never short because the staging buffer was.
     */
    public static final int MAX_STAGING = 256 * 1024;

    private ByteBuffer staging;
    private byte[] array; // the rest of the message not yet staged: array[offset, end)
    private int offset;
    private int end;
    private ByteBuffer source; // or that rest in a buffer, which staging consumes

    /** A writer whose staging buffer starts at {@code capacity} bytes and grows, up to {@link #MAX_STAGING}, for larger messages. */
    public FrameWriter(int capacity) {
        staging = ByteBuffer.allocateDirect(Math.max(capacity, Frames.HEADER_BYTES));
        staging.flip(); // nothing to write yet
    }

    /** Starts {@code length} bytes of {@code message} from {@code offset}, with a frame header if {@code framed}. */
    public void start(byte[] message, int offset, int length, boolean framed) {
        begin(length, framed);
        this.array = message;
        this.offset = offset;
        this.end = offset + length;
        stage();
    }

    /** Starts {@code message}'s remaining bytes, which it consumes as they are staged. */
    public void start(ByteBuffer message, boolean framed) {
        begin(message.remaining(), framed);
        this.source = message;
        stage();
    }

    private void begin(int length, boolean framed) {
        long size = (framed ? Frames.HEADER_BYTES : 0) + (long) length;
        if (staging.capacity() < size && staging.capacity() < MAX_STAGING) {
            staging = ByteBuffer.allocateDirect((int) Math.min(MAX_STAGING, Math.max(size, 2L * staging.capacity())));
        }
        staging.clear();
        if (framed) {
            staging.putInt(length);
        }
    }

    /** Copies what fits of the message's rest into the staging buffer (in write mode), then flips it. */
    private void stage() {
        if (array != null) {
            int n = Math.min(staging.remaining(), end - offset);
            staging.put(array, offset, n);
            offset += n;
            if (offset == end) {
                array = null; // not kept past the message
            }
        } else if (source != null) {
            int n = Math.min(staging.remaining(), source.remaining());
            int limit = source.limit();
            source.limit(source.position() + n);
            staging.put(source);
            source.limit(limit);
            if (!source.hasRemaining()) {
                source = null;
            }
        }
        staging.flip();
    }

    /**
     * Makes the staging buffer at least {@code bytes} long, up to {@link #MAX_STAGING}, for a batch
     * of messages about to be laid out together; only between messages (nothing left to write).
     */
    public void reserve(int bytes) {
        if (staging.hasRemaining() || array != null || source != null) {
            throw new IllegalStateException("a message is still being written");
        }
        if (bytes > staging.capacity() && staging.capacity() < MAX_STAGING) {
            staging = ByteBuffer.allocateDirect((int) Math.min(MAX_STAGING, Math.max(bytes, 2L * staging.capacity())));
            staging.flip();
        }
    }

    /**
     * Lays out {@code message} whole behind the bytes waiting to be written, as one more frame (or
     * its bytes, unframed), if the message started last is staged whole and this one fits in the
     * staging buffer's room; returns whether it did. So several small messages leave in one write.
     */
    public boolean append(byte[] message, boolean framed) {
        int size = (framed ? Frames.HEADER_BYTES : 0) + message.length;
        if (array != null || source != null || staging.capacity() - staging.limit() < size) {
            return false;
        }
        int position = staging.position();
        staging.position(staging.limit()).limit(staging.capacity());
        if (framed) {
            staging.putInt(message.length);
        }
        staging.put(message);
        staging.limit(staging.position()).position(position);
        return true;
    }

    /** The bytes to write next. */
    public ByteBuffer buffer() {
        return staging;
    }

    /**
     * After a write of {@link #buffer()}: tops the staging buffer up from the message once at
     * least half of it has gone out (so the bytes left unwritten are moved at most once per half
     * a buffer written). Returns whether bytes of the message are left to write.
     */
    public boolean advance() {
        boolean unstaged = array != null || source != null;
        if (unstaged && staging.remaining() <= staging.capacity() / 2) {
            staging.compact();
            stage();
        }
        return staging.hasRemaining();
    }

    /** Whether bytes of the message have not been staged yet: more than {@link #buffer()} holds is left. */
    public boolean hasUnstaged() {
        return array != null || source != null;
    }

    /** Drops what is left of the message (its connection failed or closed). */
    public void discard() {
        array = null;
        source = null;
        staging.clear().flip();
    }
}
