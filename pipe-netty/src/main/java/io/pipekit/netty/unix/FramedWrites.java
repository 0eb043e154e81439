package io.pipekit.netty.unix;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOutboundBuffer;
import io.pipekit.core.unix.Frames;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A message-type pipe's writes on a Unix socket: each flushed {@code ByteBuf} goes out as one
 * frame of pipekit's framing (a 4-byte big-endian length, then the message: docs/protocol.md, as
 * {@code FrameWriter} lays frames out for {@code PipeServer} and {@code PipeClient}). Several
 * frames go out in one gathering write, each message from its own buffer's memory behind a header
 * of its own, not copied; a write the socket takes only part of is carried on from where it
 * stopped, inside a header or a body. Which messages a write completed is counted here, so that
 * each message's promise completes once its whole frame is out; a write cancelled before its flush
 * sends nothing. Confined to the channel's loop.
 */
final class FramedWrites {
    /** The most frames laid out for one write, each a header and its body. */
    static final int MAX_MESSAGES = 256;
    /** The most buffers one gathering write takes: Linux's and macOS's {@code IOV_MAX}. */
    static final int MAX_BUFFERS = 1024;

    private final ByteBuffer[] headers = new ByteBuffer[MAX_MESSAGES];
    private final ByteBuffer[] gathered = new ByteBuffer[MAX_BUFFERS];
    private int count; // buffers laid out in gathered
    private long bytes; // their bytes
    private int messages; // messages started in them
    private int headerSent; // bytes of the first flushed message's header that earlier writes took

    FramedWrites() {
        ByteBuffer block = ByteBuffer.allocateDirect(MAX_MESSAGES * Frames.HEADER_BYTES);
        for (int i = 0; i < MAX_MESSAGES; i++) {
            headers[i] = block.slice(i * Frames.HEADER_BYTES, Frames.HEADER_BYTES);
        }
    }

    /**
     * Lays out the flushed messages from the first, which must be a {@code ByteBuf}, up to a
     * {@code FileRegion}, {@link #MAX_MESSAGES}, {@link #MAX_BUFFERS} or about {@code maxBytes}
     * (the first message whatever its size). Returns how many buffers {@link #buffers()} holds.
     */
    int gather(ChannelOutboundBuffer in, long maxBytes) throws Exception {
        count = 0;
        bytes = 0;
        messages = 0;
        in.forEachFlushedMessage(msg -> {
            if (!(msg instanceof ByteBuf buf) || messages == MAX_MESSAGES || count > MAX_BUFFERS - 2
                    || (messages > 0 && bytes >= maxBytes)) {
                return false;
            }
            ByteBuffer header = headers[messages].clear();
            header.putInt(0, buf.readableBytes());
            if (messages == 0) {
                header.position(headerSent); // the rest of a header the last write left
            }
            add(header);
            if (buf.isReadable()) {
                if (buf.nioBufferCount() == 1) {
                    add(buf.internalNioBuffer(buf.readerIndex(), buf.readableBytes()));
                } else {
                    for (ByteBuffer part : buf.nioBuffers()) {
                        if (count == MAX_BUFFERS) {
                            break; // the rest of this body goes in a later write
                        }
                        add(part);
                    }
                }
            }
            messages++;
            return true;
        });
        return count;
    }

    private void add(ByteBuffer buffer) {
        gathered[count++] = buffer;
        bytes += buffer.remaining();
    }

    /** The flushed entries that are cancelled writes: those {@code forEachFlushedMessage} does not visit. */
    private static int cancelled(ChannelOutboundBuffer in) throws Exception {
        int[] live = {0};
        in.forEachFlushedMessage(msg -> {
            live[0]++;
            return true;
        });
        return in.size() - live[0];
    }

    /** What {@link #gather} laid out, for a gathering write of its count of buffers. */
    ByteBuffer[] buffers() {
        return gathered;
    }

    /** The bytes {@link #gather} laid out. */
    long bytes() {
        return bytes;
    }

    /**
     * After a write took {@code written} bytes of what {@link #gather} laid out: each message whose
     * frame is now out completes; a message the write stopped in keeps its place, and the next
     * write goes on from there.
     */
    void written(ChannelOutboundBuffer in, long written) throws Exception {
        Arrays.fill(gathered, 0, count, null); // no hold on the buffers' memory once they are released
        count = 0;
        long left = written;
        int cancelled = -1; // flushed entries that are cancelled writes; -1 until counted
        for (Object msg; (msg = in.current()) instanceof ByteBuf buf; ) {
            int header = Frames.HEADER_BYTES - headerSent;
            if (left < header) {
                headerSent += (int) left;
                return;
            }
            if (buf == Unpooled.EMPTY_BUFFER) {
                // An empty message, or a write cancelled before its flush: Netty keeps such an
                // entry, with this buffer for its message, and gather skipped it, as
                // forEachFlushedMessage does. Removing it is right either way; whether the
                // write's bytes were its header, the count of cancelled entries says: removing
                // a cancelled one lowers it, removing a message does not (the listeners its
                // promise runs may flush more, cancelled or not, but never fewer).
                if (cancelled < 0) {
                    cancelled = cancelled(in);
                }
                if (cancelled > 0) {
                    in.remove();
                    int now = cancelled(in);
                    if (now >= cancelled) { // a message: its frame, the header, is out
                        left -= header;
                        headerSent = 0;
                    }
                    cancelled = now;
                    continue;
                }
            }
            left -= header;
            headerSent = Frames.HEADER_BYTES;
            int body = buf.readableBytes();
            if (left < body) {
                buf.skipBytes((int) left);
                in.progress(left);
                return;
            }
            left -= body;
            in.progress(body);
            headerSent = 0;
            int size = in.size();
            in.remove(); // an empty message's frame is its header: it completes here too
            if (in.size() != size - 1) {
                cancelled = -1; // its promise's listeners flushed more: count again if it matters
            }
        }
    }
}
