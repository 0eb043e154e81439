package io.pipekit.netty.unix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@link FramedWrites} lays messages out as pipekit's frames and carries on after a socket
 * took only part of them: whatever the socket takes at a time, a few bytes inside a header or a
 * body, the bytes that reach it are each message's 4-byte big-endian length and then the message,
 * in order, and each message's promise completes exactly when its whole frame is out.
 */
@UnixPipeSuite
class FramedWritesTest {

    @Test
    void framesComeOutWholeAndInOrderHoweverLittleEachWriteTakes() throws Exception {
        EmbeddedChannel channel = new EmbeddedChannel();
        try {
            ChannelOutboundBuffer in = channel.unsafe().outboundBuffer();
            Random random = new Random(42);
            List<byte[]> messages = new ArrayList<>();
            List<ChannelPromise> promises = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                byte[] message = new byte[i % 5 == 0 ? 0 : random.nextInt(30)];
                random.nextBytes(message);
                messages.add(message);
                ByteBuf buf = i % 3 == 0 ? composite(message) : Unpooled.wrappedBuffer(message);
                ChannelPromise promise = channel.newPromise();
                promises.add(promise);
                in.addMessage(buf, buf.readableBytes(), promise);
            }
            in.addFlush();
            FramedWrites writes = new FramedWrites();
            ByteArrayOutputStream socket = new ByteArrayOutputStream();

            while (in.current() != null) {
                int count = writes.gather(in, 64);
                long taken = take(writes.buffers(), count, 1 + random.nextInt(7), socket); // a socket with little room
                writes.written(in, taken);
                assertPromisesMatch(promises, messages, socket.size());
            }

            DataInputStream frames = new DataInputStream(new ByteArrayInputStream(socket.toByteArray()));
            for (byte[] message : messages) {
                assertEquals(message.length, frames.readInt(), "a header: the message's length, big-endian");
                assertArrayEquals(message, frames.readNBytes(message.length));
            }
            assertEquals(0, frames.available(), "nothing but the frames");
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void writesCancelledBeforeTheFlushSendNothingAndEmptyMessagesAroundThemStillGoOut() throws Exception {
        for (int seed = 0; seed < 50; seed++) {
            EmbeddedChannel channel = new EmbeddedChannel();
            try {
                ChannelOutboundBuffer in = channel.unsafe().outboundBuffer();
                byte[] a = bytes(10, 1);
                byte[] b = bytes(20, 2);
                byte[] late = bytes(7, 3);
                in.addMessage(Unpooled.wrappedBuffer(a), 10, channel.newPromise());
                cancelled(channel, in, 5);
                // An empty message whose promise's listener writes and flushes one more, as chained writes do.
                ChannelPromise chaining = channel.newPromise();
                chaining.addListener(done -> {
                    in.addMessage(Unpooled.wrappedBuffer(late), late.length, channel.newPromise());
                    in.addFlush();
                });
                in.addMessage(Unpooled.EMPTY_BUFFER, 0, chaining);
                cancelled(channel, in, 6);
                in.addMessage(Unpooled.EMPTY_BUFFER, 0, channel.newPromise());
                in.addMessage(Unpooled.wrappedBuffer(b), 20, channel.newPromise());
                in.addFlush(); // the two cancelled entries stay, with Netty's shared empty buffer for a message
                FramedWrites writes = new FramedWrites();
                ByteArrayOutputStream socket = new ByteArrayOutputStream();
                Random random = new Random(seed);

                while (in.current() != null) { // as UnixPipeChannel's doWriteFrames drives it
                    int count = writes.gather(in, 64);
                    if (count == 0) {
                        in.remove();
                        continue;
                    }
                    writes.written(in, take(writes.buffers(), count, 1 + random.nextInt(9), socket));
                }

                DataInputStream frames = new DataInputStream(new ByteArrayInputStream(socket.toByteArray()));
                for (byte[] message : List.of(a, new byte[0], new byte[0], b, late)) {
                    assertEquals(message.length, frames.readInt(), "seed " + seed + ": a header");
                    assertArrayEquals(message, frames.readNBytes(message.length), "seed " + seed);
                }
                assertEquals(0, frames.available(), "seed " + seed + ": nothing but the frames");
                assertTrue(chaining.isSuccess());
            } finally {
                channel.finishAndReleaseAll();
            }
        }
    }

    /** A write whose promise is cancelled before the flush, as a handler cancels it. */
    private static void cancelled(EmbeddedChannel channel, ChannelOutboundBuffer in, int size) {
        ChannelPromise promise = channel.newPromise();
        in.addMessage(Unpooled.wrappedBuffer(new byte[size]), size, promise);
        assertTrue(promise.cancel(false));
    }

    private static byte[] bytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void aGatherStopsAtAFileRegionAndAtItsByteBound(@TempDir Path dir) throws Exception {
        EmbeddedChannel channel = new EmbeddedChannel();
        try {
            ChannelOutboundBuffer in = channel.unsafe().outboundBuffer();
            in.addMessage(Unpooled.wrappedBuffer(new byte[100]), 100, channel.newPromise());
            in.addMessage(Unpooled.wrappedBuffer(new byte[100]), 100, channel.newPromise());
            File empty = Files.createFile(dir.resolve("region")).toFile();
            in.addMessage(new DefaultFileRegion(empty, 0, 0), 0, channel.newPromise());
            in.addFlush();
            FramedWrites writes = new FramedWrites();

            assertEquals(2, writes.gather(in, 10), "the first message whatever the bound, then no more");
            assertEquals(104, writes.bytes());
            assertEquals(4, writes.gather(in, 1 << 20), "both messages, header and body each; not the region");
            assertEquals(208, writes.bytes());
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    private static CompositeByteBuf composite(byte[] message) {
        int half = message.length / 2;
        return Unpooled.compositeBuffer().addComponents(true, Unpooled.wrappedBuffer(message, 0, half),
                Unpooled.wrappedBuffer(message, half, message.length - half));
    }

    /** A socket's gathering write that takes at most {@code room} bytes. */
    private static long take(ByteBuffer[] buffers, int count, int room, ByteArrayOutputStream into) {
        long taken = 0;
        for (int i = 0; i < count && taken < room; i++) {
            ByteBuffer buffer = buffers[i];
            while (buffer.hasRemaining() && taken < room) {
                into.write(buffer.get());
                taken++;
            }
        }
        return taken;
    }

    /** Each promise is done exactly when the bytes out cover its frame. */
    private static void assertPromisesMatch(List<ChannelPromise> promises, List<byte[]> messages, int bytesOut) {
        long frameEnd = 0;
        for (int i = 0; i < messages.size(); i++) {
            frameEnd += 4 + messages.get(i).length;
            boolean out = frameEnd <= bytesOut;
            assertEquals(out, promises.get(i).isDone(), "message " + i + " after " + bytesOut + " bytes");
            if (out) {
                assertTrue(promises.get(i).isSuccess());
                assertNull(promises.get(i).cause());
            } else {
                assertFalse(promises.get(i).isDone());
            }
        }
    }
}
