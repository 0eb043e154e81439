package io.pipekit.netty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.pipekit.client.PipeClient;
import io.pipekit.core.MessageTooLargeException;
import io.pipekit.core.PeerClosedException;
import io.pipekit.core.PipeType;
import io.pipekit.core.ReadMode;
import io.pipekit.server.PipeServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PipeChannelOption#PIPE_TYPE} {@code MESSAGE} against pipekit's own message pipes, on the
 * transport {@link PipeNetty} picks for this OS: a pipe-netty server serves {@code PipeClient} and
 * a pipe-netty client talks to {@code PipeServer}, every message whole and in order both ways,
 * empty ones and ones far larger than a read included; a message over the limit costs only its
 * own connection; {@code BYTE}, the default, is still a stream. A subclass says which OS runs it
 * and adds what only its transport has.
 */
public abstract class MessagePipeSpec {
    protected static final long LIMIT_SECONDS = 60;
    /** Empty, one byte, a read chunk's worth and a megabyte: far more than any pipe buffer or first read. */
    protected static final int[] SIZES = {0, 1, 64 * 1024, 1024 * 1024};

    private EventLoopGroup serverGroup;
    private EventLoopGroup clientGroup;
    private final List<Channel> channels = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> peers = new CopyOnWriteArrayList<>();
    /** What the servers' children were told went wrong, in order. */
    protected final BlockingQueue<Throwable> childFailures = new LinkedBlockingQueue<>();

    /** A pipe name no other test uses, for {@link PipeNetty#address}, {@code PipeServer} and {@code PipeClient} alike. */
    protected abstract String newName();

    /** Before any group or peer exists: a subclass notes the resources it checks afterwards. */
    protected void beforeResources() {
    }

    /** Once every channel, peer and group has closed. */
    protected void afterResources() throws Exception {
    }

    @BeforeEach
    void startGroups() {
        FailOnLeaks.install();
        FailOnLeaks.leaksSoFar(); // another test's are not this one's
        beforeResources();
        serverGroup = PipeNetty.eventLoopGroup(1);
        clientGroup = PipeNetty.eventLoopGroup(2);
    }

    @AfterEach
    void stopEverything() throws Exception {
        try {
            for (AutoCloseable peer : peers) {
                peer.close();
            }
            for (Channel channel : channels) {
                channel.close().await(LIMIT_SECONDS, TimeUnit.SECONDS);
            }
        } finally {
            assertTrue(clientGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(LIMIT_SECONDS, TimeUnit.SECONDS));
            assertTrue(serverGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(LIMIT_SECONDS, TimeUnit.SECONDS));
        }
        afterResources();
        assertEquals(List.of(), FailOnLeaks.leaksSoFar(), "buffers leaked (Netty's paranoid detector)");
    }

    // --- a pipe-netty server, pipekit's PipeClient -------------------------------------------

    @Test
    void aMessageServerAnswersEachOfAPipeClientsMessagesWhole() throws Exception {
        String name = newName();
        channel(MessagePipeRecipes.server(name, serverGroup, new Echo())); // docs/netty.md's recipe
        PipeClient client = peer(PipeClient.builder(name).connect());

        assertEquals(ReadMode.MESSAGE, client.readMode());
        for (int size : SIZES) {
            byte[] message = bytes(size, size);
            assertArrayEquals(message, client.transact(message), "a message of " + size + " bytes, echoed");
        }
    }

    @Test
    void messagesAPipeClientSendsBackToBackKeepTheirBoundaries() throws Exception {
        String name = newName();
        echoServer(name, server -> server.option(PipeChannelOption.PIPE_TYPE, PipeType.MESSAGE));
        PipeClient client = peer(PipeClient.builder(name).connect());
        List<byte[]> sent = backToBack(300, 7);

        for (byte[] message : sent) {
            client.send(message); // all of them before reading any answer
        }
        for (int i = 0; i < sent.size(); i++) {
            assertArrayEquals(sent.get(i), client.receive(), "answer " + i + " of " + sent.size());
        }
    }

    @Test
    void aMessageServerThatFlushesWhenAReadCompletesAnswersEveryMessage() throws Exception {
        String name = newName();
        channel(flushOnReadCompleteServer(name, PipeType.MESSAGE));
        PipeClient client = peer(PipeClient.builder(name).receiveTimeout(Duration.ofSeconds(LIMIT_SECONDS)).connect());

        // Exactly a read's worth, more than one (the read grown), and less: a read complete must follow each.
        for (int size : new int[] {1024, 1024, 5000, 1, 0, 1024}) {
            byte[] message = bytes(size, size + 1);
            assertArrayEquals(message, client.transact(message), "a message of " + size + " bytes, answered");
        }
    }

    @Test
    void aMessageServerWhoseAllocatorDoesNotAskIfMoreIsThereStillAnswersEveryMessage() throws Exception {
        String name = newName();
        // Netty's handle then says "read on" without the pipe's word that another message is there.
        channel(flushOnReadCompleteServer(name, PipeType.MESSAGE,
                new AdaptiveRecvByteBufAllocator().respectMaybeMoreData(false).maxMessagesPerRead(16)));
        PipeClient client = peer(PipeClient.builder(name).receiveTimeout(Duration.ofSeconds(LIMIT_SECONDS)).connect());

        for (int size : new int[] {1024, 1, 0, 70_000, 5}) {
            byte[] message = bytes(size, size + 3);
            assertArrayEquals(message, client.transact(message), "a message of " + size + " bytes, answered");
        }
    }

    @Test
    void aMessageServerWhoseAllocatorIsOfAKindOfItsOwnAnswersEveryMessage() throws Exception {
        String name = newName();
        RecvByteBufAllocator ofItsOwn = new RecvByteBufAllocator() { // not a MaxMessagesRecvByteBufAllocator
            @Override
            public Handle newHandle() {
                return new FixedRecvByteBufAllocator(1024).newHandle();
            }
        };
        echoServer(name, server -> server.option(PipeChannelOption.PIPE_TYPE, PipeType.MESSAGE)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, ofItsOwn));
        PipeClient client = peer(PipeClient.builder(name).receiveTimeout(Duration.ofSeconds(LIMIT_SECONDS)).connect());

        for (int size : new int[] {1, 5000, 0}) {
            byte[] message = bytes(size, size + 4);
            assertArrayEquals(message, client.transact(message), "a message of " + size + " bytes, answered");
        }
        assertNull(childFailures.poll(), "no failure");
    }

    @Test
    void aHandlerThatClosesItsChannelInChannelReadIsStillToldTheReadIsComplete() throws Exception {
        String name = newName();
        CountDownLatch readComplete = new CountDownLatch(1);
        channel(new ServerBootstrap().group(serverGroup).channel(PipeNetty.serverChannelType())
                .option(PipeChannelOption.PIPE_TYPE, PipeType.MESSAGE)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ((ByteBuf) msg).release();
                        ctx.close();
                    }

                    @Override
                    public void channelReadComplete(ChannelHandlerContext ctx) {
                        readComplete.countDown(); // as Netty's NIO channels fire it, closed or not
                    }
                }).bind(PipeNetty.address(name)).sync().channel());
        PipeClient client = peer(PipeClient.builder(name).connect());

        client.send(bytes(10, 7));

        assertTrue(readComplete.await(LIMIT_SECONDS, TimeUnit.SECONDS), "channelReadComplete after the read that closed");
    }

    @Test
    void aByteServerThatFlushesWhenAReadCompletesAnswersEveryRead() throws Exception {
        String name = newName();
        channel(flushOnReadCompleteServer(name, PipeType.BYTE));
        PipeClient client = peer(PipeClient.builder(name).readMode(ReadMode.BYTE).receiveTimeout(Duration.ofSeconds(LIMIT_SECONDS))
                .connect());
        OutputStream out = client.outputStream();
        InputStream in = client.inputStream();

        for (int size : new int[] {1024, 1024, 5000, 1, 1024}) { // a read's worth exactly, more, and less
            byte[] bytes = bytes(size, size + 2);
            out.write(bytes);
            out.flush();
            assertArrayEquals(bytes, in.readNBytes(size), size + " bytes, answered");
        }
    }

    @Test
    void aMessageOverTheLimitClosesOnlyTheConnectionItCameOn() throws Exception {
        String name = newName();
        echoServer(name, server -> server.option(PipeChannelOption.PIPE_TYPE, PipeType.MESSAGE)
                .option(PipeChannelOption.MAX_MESSAGE_SIZE, 1024));
        PipeClient good = peer(PipeClient.builder(name).connect());
        PipeClient bad = peer(PipeClient.builder(name).connect());
        byte[] small = bytes(1024, 1);
        assertArrayEquals(small, good.transact(small), "a message at the limit");

        bad.send(bytes(1025, 2));

        Throwable refused = childFailures.poll(LIMIT_SECONDS, TimeUnit.SECONDS);
        assertInstanceOf(MessageTooLargeException.class, refused, "what the child's pipeline was told");
        assertThrows(PeerClosedException.class, bad::receive, "the sender's connection is closed");
        assertArrayEquals(small, good.transact(small), "the other connection is still served");
    }

    // --- a pipe-netty client, pipekit's PipeServer -------------------------------------------

    @Test
    void aMessageClientGetsEachOfAPipeServersAnswersWhole() throws Exception {
        String name = newName();
        peer(PipeServer.builder(name).handler((client, request) -> request).start()); // a message-type pipe, PipeServer's default
        List<byte[]> sent = new ArrayList<>();
        for (int size : SIZES) {
            sent.add(bytes(size, size));
        }
        sent.addAll(backToBack(300, 11));
        BlockingQueue<Object> received = new LinkedBlockingQueue<>();
        Channel client = channel(MessagePipeRecipes.client(name, clientGroup, new Collect(received))); // docs/netty.md's recipe

        sendTogetherAndExpectEachBack(client, sent, received);
    }

    @Test
    void withAutoReadOffMessagesComeAsReadsAskForThemAndNoneIsLost() throws Exception {
        String name = newName();
        peer(PipeServer.builder(name).handler((client, request) -> request).start());
        List<byte[]> sent = backToBack(200, 13);
        BlockingQueue<Object> received = new LinkedBlockingQueue<>();
        Channel client = channel(new Bootstrap().group(clientGroup).channel(PipeNetty.channelType())
                .option(PipeChannelOption.PIPE_TYPE, PipeType.MESSAGE)
                .option(ChannelOption.AUTO_READ, false)
                .handler(new Collect(received) {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        ctx.read();
                    }

                    @Override
                    public void channelReadComplete(ChannelHandlerContext ctx) {
                        ctx.read(); // the next read once this one's messages are handled: Netty's back-pressure
                    }
                }).connect(PipeNetty.address(name)).sync().channel());

        sendTogetherAndExpectEachBack(client, sent, received);
    }

    @Test
    void aWriteCancelledBeforeItsFlushSendsNothingAndTheMessagesAroundItKeepTheirBoundaries() throws Exception {
        String name = newName();
        peer(PipeServer.builder(name).handler((client, request) -> request).start());
        BlockingQueue<Object> received = new LinkedBlockingQueue<>();
        Channel client = messageClient(name, received);
        byte[] first = bytes(10, 1);
        byte[] last = bytes(3000, 2);

        // On the loop, so that each write is in the outbound buffer when its promise is cancelled:
        // Netty keeps a cancelled entry there, with an empty buffer for its message, until the flush.
        client.eventLoop().submit(() -> {
            assertTrue(client.write(Unpooled.wrappedBuffer(bytes(20, 3))).cancel(false));
            client.flush(); // a flush of nothing but a cancelled write
            assertTrue(client.write(Unpooled.wrappedBuffer(bytes(30, 4))).cancel(false));
            client.write(Unpooled.wrappedBuffer(first));
            assertTrue(client.write(Unpooled.wrappedBuffer(bytes(40, 5))).cancel(false));
            client.write(Unpooled.EMPTY_BUFFER); // an empty message, which is sent
            client.writeAndFlush(Unpooled.wrappedBuffer(last));
        }).sync();

        assertArrayEquals(first, (byte[]) received.poll(LIMIT_SECONDS, TimeUnit.SECONDS), "the first message sent, echoed");
        assertArrayEquals(new byte[0], (byte[]) received.poll(LIMIT_SECONDS, TimeUnit.SECONDS), "the empty message, echoed");
        assertArrayEquals(last, (byte[]) received.poll(LIMIT_SECONDS, TimeUnit.SECONDS), "the last, whole");
        byte[] after = bytes(50, 6);
        client.writeAndFlush(Unpooled.wrappedBuffer(after));
        assertArrayEquals(after, (byte[]) received.poll(LIMIT_SECONDS, TimeUnit.SECONDS), "and the next: nothing else came between");
    }

    @Test
    void autoReadTurnedOffInChannelReadStopsTheMessagesAfterWhatTheReadBrought() throws Exception {
        String name = newName();
        List<byte[]> sent = new ArrayList<>();
        // 288 kB: within what a pipe-netty server's pipe holds (1 MiB) and its socket can have in
        // flight where Linux caps SO_SNDBUF at its default wmem_max (twice 208 KiB).
        for (int i = 0; i < 8; i++) {
            sent.add(bytes(36_000, 100 + i)); // more than half of a 64 KiB read: a read brings two whole messages at most
        }
        CompletableFuture<Void> allInThePipe = new CompletableFuture<>();
        channel(new ServerBootstrap().group(serverGroup).channel(PipeNetty.serverChannelType())
                .option(PipeChannelOption.PIPE_TYPE, PipeType.MESSAGE)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        ChannelFuture last = null;
                        for (byte[] message : sent) {
                            last = ctx.writeAndFlush(Unpooled.wrappedBuffer(message));
                        }
                        last.addListener(written -> allInThePipe.complete(null)); // writes complete in order
                    }
                }).bind(PipeNetty.address(name)).sync().channel());
        BlockingQueue<Object> received = new LinkedBlockingQueue<>();
        Channel client = channel(new Bootstrap().group(clientGroup).channel(PipeNetty.channelType())
                .option(PipeChannelOption.PIPE_TYPE, PipeType.MESSAGE)
                .handler(new Collect(received) {
                    private boolean first = true;

                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        if (first) {
                            ctx.channel().config().setAutoRead(false); // Netty's back-pressure
                            first = false;
                        }
                        super.channelRead(ctx, msg);
                    }
                }).connect(PipeNetty.address(name)).sync().channel());

        allInThePipe.get(LIMIT_SECONDS, TimeUnit.SECONDS);
        Thread.sleep(200); // time for the client to hand up what it should not

        assertTrue(received.size() <= 2, received.size() + " messages handed up after auto-read went off");
        client.config().setAutoRead(true);
        for (int i = 0; i < sent.size(); i++) {
            Object message = received.poll(LIMIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(message, "message " + i + " never came");
            assertArrayEquals(sent.get(i), (byte[]) message, "message " + i);
        }
    }

    /** Writes each of {@code sent} as one message, flushes them together, and expects each answer back, in order. */
    private static void sendTogetherAndExpectEachBack(Channel client, List<byte[]> sent, BlockingQueue<Object> received)
            throws InterruptedException {
        for (byte[] message : sent) {
            client.write(Unpooled.wrappedBuffer(message));
        }
        client.flush();
        for (int i = 0; i < sent.size(); i++) {
            Object answer = received.poll(LIMIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(answer, "answer " + i + " of " + sent.size() + " never came");
            assertArrayEquals(sent.get(i), (byte[]) answer, "answer " + i + " of " + sent.size());
        }
    }

    // --- the option itself ---------------------------------------------------------------------

    @Test
    void byteIsTheDefaultAndCarriesAStreamWithoutFrames() throws Exception {
        String name = newName();
        Channel server = echoServer(name, UnaryOperator.identity());
        assertEquals(PipeType.BYTE, server.config().getOption(PipeChannelOption.PIPE_TYPE));
        PipeClient client = peer(PipeClient.builder(name).readMode(ReadMode.BYTE).connect());
        OutputStream out = client.outputStream();
        InputStream in = client.inputStream();

        out.write("pipe".getBytes(StandardCharsets.US_ASCII));
        out.write("kit".getBytes(StandardCharsets.US_ASCII));
        out.flush();

        assertEquals("pipekit", new String(in.readNBytes(7), StandardCharsets.US_ASCII), "the bytes as written: no frame headers");
        Channel child = onlyChild();
        assertEquals(PipeType.BYTE, child.config().getOption(PipeChannelOption.PIPE_TYPE));
        Channel netty = channel(new Bootstrap().group(clientGroup).channel(PipeNetty.channelType())
                .handler(new ChannelInboundHandlerAdapter()).connect(PipeNetty.address(name)).sync().channel());
        assertEquals(PipeType.BYTE, netty.config().getOption(PipeChannelOption.PIPE_TYPE));
    }

    @Test
    void childrenHaveTheirServersTypeAndATypeInUseStays() throws Exception {
        String name = newName();
        Channel server = echoServer(name, bootstrap -> bootstrap.option(PipeChannelOption.PIPE_TYPE, PipeType.MESSAGE)
                .childOption(PipeChannelOption.PIPE_TYPE, PipeType.BYTE)); // ignored, with a warning: the server's type rules
        Channel client = messageClient(name, new LinkedBlockingQueue<>());

        Channel child = onlyChild();
        assertEquals(PipeType.MESSAGE, child.config().getOption(PipeChannelOption.PIPE_TYPE));
        child.config().setOption(PipeChannelOption.PIPE_TYPE, PipeType.BYTE);
        assertEquals(PipeType.MESSAGE, child.config().getOption(PipeChannelOption.PIPE_TYPE), "set on a child directly: ignored too");
        assertEquals(PipeType.MESSAGE, client.config().getOption(PipeChannelOption.PIPE_TYPE));
        assertThrows(IllegalStateException.class, () -> client.config().setOption(PipeChannelOption.PIPE_TYPE, PipeType.BYTE));
        assertThrows(IllegalStateException.class, () -> server.config().setOption(PipeChannelOption.PIPE_TYPE, PipeType.BYTE));
        assertThrows(IllegalArgumentException.class, () -> client.config().setOption(PipeChannelOption.MAX_MESSAGE_SIZE, 0));
    }

    @Test
    void aFileRegionIsRefusedOnAMessagePipeAndTheChannelCarriesOn(@TempDir Path dir) throws Exception {
        String name = newName();
        echoServer(name, server -> server.option(PipeChannelOption.PIPE_TYPE, PipeType.MESSAGE));
        BlockingQueue<Object> received = new LinkedBlockingQueue<>();
        Channel client = messageClient(name, received);
        Path file = Files.write(dir.resolve("region"), bytes(100, 3));

        ChannelFuture region = client.writeAndFlush(new DefaultFileRegion(file.toFile(), 0, 100)).await();

        assertInstanceOf(UnsupportedOperationException.class, region.cause());
        byte[] after = bytes(10, 4);
        client.writeAndFlush(Unpooled.wrappedBuffer(after));
        assertArrayEquals(after, (byte[]) received.poll(LIMIT_SECONDS, TimeUnit.SECONDS), "the next message, echoed");
    }

    // --- helpers ---------------------------------------------------------------------------------

    /**
     * A pipe-netty server whose children echo each read back as it came, and note failures in
     * {@link #childFailures}; reads of at most 1 KiB at a time, so that on a named pipe every
     * larger message comes in parts ({@code ERROR_MORE_DATA}).
     */
    protected Channel echoServer(String name, UnaryOperator<ServerBootstrap> options) throws InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap().group(serverGroup).channel(PipeNetty.serverChannelType())
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(1024))
                .childHandler(new Echo());
        return channel(options.apply(bootstrap).bind(PipeNetty.address(name)).sync().channel());
    }

    /**
     * A server whose children echo as Netty's examples do, writing in {@code channelRead} and
     * flushing in {@code channelReadComplete}, and read 1 KiB at a time, several reads to a batch
     * (a fixed allocator's default is one; a channel's own, adaptive, allocator reads up to 16).
     */
    private Channel flushOnReadCompleteServer(String name, PipeType type) throws InterruptedException {
        return flushOnReadCompleteServer(name, type, new FixedRecvByteBufAllocator(1024).maxMessagesPerRead(16));
    }

    private Channel flushOnReadCompleteServer(String name, PipeType type, RecvByteBufAllocator reads) throws InterruptedException {
        return new ServerBootstrap().group(serverGroup).channel(PipeNetty.serverChannelType())
                .option(PipeChannelOption.PIPE_TYPE, type)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, reads)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ctx.write(msg);
                    }

                    @Override
                    public void channelReadComplete(ChannelHandlerContext ctx) {
                        ctx.flush();
                    }
                }).bind(PipeNetty.address(name)).sync().channel();
    }

    /** The one child the server accepted, once it has. */
    protected Channel onlyChild() throws InterruptedException {
        Object child = children.poll(LIMIT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(child, "the server accepted no child");
        return (Channel) child;
    }

    private final BlockingQueue<Object> children = new LinkedBlockingQueue<>();

    @ChannelHandler.Sharable
    private final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            children.add(ctx.channel());
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.writeAndFlush(msg);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            childFailures.add(cause);
            ctx.close();
        }
    }

    /**
     * A pipe-netty client in message mode whose reads (of at most 1 KiB at a time) go to
     * {@code received} as byte arrays, one per message, and failures as themselves.
     */
    protected Channel messageClient(String name, BlockingQueue<Object> received) throws InterruptedException {
        return channel(new Bootstrap().group(clientGroup).channel(PipeNetty.channelType())
                .option(PipeChannelOption.PIPE_TYPE, PipeType.MESSAGE)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(1024))
                .handler(new Collect(received)).connect(PipeNetty.address(name)).sync().channel());
    }

    /** Each message read, as a byte array, and each failure, as itself, to a queue. */
    private static class Collect extends ChannelInboundHandlerAdapter {
        private final BlockingQueue<Object> received;

        Collect(BlockingQueue<Object> received) {
            this.received = received;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf message = (ByteBuf) msg;
            try {
                byte[] bytes = new byte[message.readableBytes()];
                message.readBytes(bytes);
                received.add(bytes);
            } finally {
                message.release();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            received.add(cause);
            ctx.close();
        }
    }

    protected Channel channel(Channel channel) {
        channels.add(channel);
        return channel;
    }

    protected <T extends AutoCloseable> T peer(T peer) {
        peers.add(peer);
        return peer;
    }


    protected EventLoopGroup clientGroup() {
        return clientGroup;
    }

    /** {@code size} bytes from {@code seed}. */
    protected static byte[] bytes(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    /** {@code count} messages of mixed sizes, small ones mostly, empty ones and a few larger than any read among them. */
    protected static List<byte[]> backToBack(int count, long seed) {
        Random random = new Random(seed);
        List<byte[]> messages = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int size = i % 50 == 49 ? 70_000 + random.nextInt(1000) : i % 17 == 0 ? 0 : random.nextInt(3000);
            messages.add(bytes(size, seed * 1000 + i));
        }
        return messages;
    }
}
