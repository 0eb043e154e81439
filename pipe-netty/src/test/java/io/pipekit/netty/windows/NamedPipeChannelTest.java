package io.pipekit.netty.windows;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.platform.win32.WinNT.HANDLE;
import com.sun.jna.ptr.IntByReference;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DuplexChannel;
import io.pipekit.core.PeerIdentity;
import io.pipekit.core.PipeNameInUseException;
import io.pipekit.core.windows.NativeAllocations;
import io.pipekit.core.windows.NativeHandles;
import io.pipekit.netty.FailOnLeaks;
import io.pipekit.netty.NettyPipeAddress;
import io.pipekit.netty.PipeChannel;
import io.pipekit.netty.PipeChannelOption;
import io.pipekit.netty.PipePeerAddress;
import io.pipekit.testing.WindowsOnly;
import java.io.ByteArrayOutputStream;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * pipekit's own specifications of the named-pipe channels, beside Netty's suite: content kept
 * apart across concurrent connections, identity and admission before a child exists, the name
 * claim, the connect failures a pipe has instead of TCP's, no native block of pipekit's allocated
 * per message in steady state, and every handle and native block freed once the groups have closed.
 */
@WindowsOnly
class NamedPipeChannelTest {
    private static final long LIMIT_SECONDS = 60;

    private long handlesBefore;
    private long allocationsBefore;
    private PipeEventLoopGroup serverGroup;
    private PipeEventLoopGroup clientGroup;
    private final List<Channel> channels = new ArrayList<>();

    @BeforeEach
    void start() {
        FailOnLeaks.install();
        FailOnLeaks.leaksSoFar(); // another test's are not this one's
        handlesBefore = NativeHandles.liveCount();
        allocationsBefore = NativeAllocations.liveCount();
        serverGroup = new PipeEventLoopGroup(1);
        clientGroup = new PipeEventLoopGroup(2);
    }

    @AfterEach
    void stop() throws Exception {
        for (Channel channel : channels) {
            channel.close().await(LIMIT_SECONDS, TimeUnit.SECONDS);
        }
        assertTrue(clientGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(LIMIT_SECONDS, TimeUnit.SECONDS));
        assertTrue(serverGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(LIMIT_SECONDS, TimeUnit.SECONDS));
        NettyQuiet.awaitGlobalExecutorIdle();
        assertEquals(handlesBefore, NativeHandles.liveCount(), "pipekit's handles once both groups closed");
        assertEquals(allocationsBefore, NativeAllocations.liveCount(), "pipekit's native blocks once both groups closed");
        assertEquals(List.of(), FailOnLeaks.leaksSoFar(), "buffers leaked (Netty's paranoid detector)");
    }

    private static NettyPipeAddress newAddress() {
        return (NettyPipeAddress) PipeTestPermutation.newAddress();
    }

    private final AtomicInteger childrenActive = new AtomicInteger();
    private final List<NamedPipeChannel> children = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Each accepted child's {@link NamedPipeChannel#state()}, read on its loop. */
    private String childStates() throws Exception {
        StringBuilder states = new StringBuilder();
        for (NamedPipeChannel child : children) {
            states.append("\n  ").append(child.eventLoop().submit(child::state).get(10, TimeUnit.SECONDS));
        }
        return states.toString();
    }
    /** A child's {@link NamedPipeChannel#state()}, read on its loop, for a failure's message. */
    private static String stateOf(Channel child) {
        if (child == null) {
            return "never active";
        }
        try {
            return child.eventLoop().submit(((NamedPipeChannel) child)::state).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            return "unknown (" + e + ")";
        }
    }

    private final java.util.concurrent.atomic.AtomicLong bytesEchoed = new java.util.concurrent.atomic.AtomicLong();

    private Channel echoServer(NettyPipeAddress address, ServerBootstrap bootstrap) throws InterruptedException {
        Channel server = bootstrap.group(serverGroup, serverGroup).channel(NamedPipeServerChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public boolean isSharable() {
                        return true;
                    }

                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        children.add((NamedPipeChannel) ctx.channel());
                        childrenActive.incrementAndGet();
                        ctx.fireChannelActive();
                    }

                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        bytesEchoed.addAndGet(((ByteBuf) msg).readableBytes());
                        ctx.write(msg);
                    }

                    @Override
                    public void channelReadComplete(ChannelHandlerContext ctx) {
                        ctx.flush();
                    }
                }).bind(address).sync().channel();
        channels.add(server);
        return server;
    }

    /** A client that sends {@code payload} in random chunks and completes with everything echoed back. */
    private CompletableFuture<byte[]> echoClient(NettyPipeAddress address, byte[] payload, long seed) throws InterruptedException {
        return echoClient(address, payload, seed, new AtomicInteger());
    }

    private CompletableFuture<byte[]> echoClient(NettyPipeAddress address, byte[] payload, long seed, AtomicInteger progress)
            throws InterruptedException {
        CompletableFuture<byte[]> echoed = new CompletableFuture<>();
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        Channel client = new Bootstrap().group(clientGroup).channel(NamedPipeChannel.class)
                .handler(new SimpleChannelInboundHandler<ByteBuf>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                        byte[] bytes = new byte[msg.readableBytes()];
                        msg.readBytes(bytes);
                        received.write(bytes, 0, bytes.length);
                        progress.set(received.size());
                        if (received.size() >= payload.length) {
                            echoed.complete(received.toByteArray());
                            ctx.close();
                        }
                    }

                    @Override
                    public void channelInactive(ChannelHandlerContext ctx) {
                        echoed.completeExceptionally(new AssertionError("closed after " + received.size() + " of " + payload.length + " bytes"));
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        echoed.completeExceptionally(cause);
                        ctx.close();
                    }
                }).connect(address).sync().channel();
        channels.add(client);
        Random random = new Random(seed);
        for (int at = 0; at < payload.length; ) {
            int length = Math.min(1 + random.nextInt(48 * 1024), payload.length - at);
            // Heap and direct buffers both: heap ones are copied to direct memory before the kernel sees them.
            ByteBuf chunk = random.nextBoolean() ? client.alloc().directBuffer(length) : client.alloc().heapBuffer(length);
            chunk.writeBytes(payload, at, length);
            client.write(chunk);
            at += length;
        }
        client.flush();
        return echoed;
    }

    @Test
    void concurrentConnectionsEachGetTheirOwnBytesBackIntact() throws Exception {
        NettyPipeAddress address = newAddress();
        NamedPipeServerChannel server = (NamedPipeServerChannel) echoServer(address, new ServerBootstrap());
        int clients = 8;
        List<byte[]> payloads = new ArrayList<>();
        List<CompletableFuture<byte[]>> echoes = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            byte[] payload = new byte[256 * 1024 + c * 977]; // sizes differ, so no two connections' data could pass for each other
            new Random(c).nextBytes(payload);
            payloads.add(payload);
        }
        List<AtomicInteger> progress = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            AtomicInteger received = new AtomicInteger();
            progress.add(received);
            echoes.add(echoClient(address, payloads.get(c), 1000 + c, received));
        }
        try {
            CompletableFuture.allOf(echoes.toArray(new CompletableFuture<?>[0])).get(LIMIT_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            StringBuilder states = new StringBuilder();
            for (int c = 0; c < clients; c++) {
                states.append("\n client ").append(c).append(": ").append(echoes.get(c).isDone() ? "done" : "waiting")
                        .append(", ").append(progress.get(c).get()).append(" of ").append(payloads.get(c).length);
            }
            states.append("\n children active ").append(childrenActive.get()).append(", bytes echoed ").append(bytesEchoed.get());
            states.append("\n server: ").append(server.eventLoop().submit(server::state).get(10, TimeUnit.SECONDS));
            throw new AssertionError("not every echo came back:" + states, e);
        }
        for (int c = 0; c < clients; c++) {
            assertArrayEquals(payloads.get(c), echoes.get(c).get(), "connection " + c + "'s echo");
        }
    }

    @Test
    void steadyStateMessagesAllocateNoNativeMemoryOfPipekitsOnEitherSide() throws Exception {
        NettyPipeAddress address = newAddress();
        echoServer(address, new ServerBootstrap());
        int warmTrips = 100;
        int timedTrips = 2_000;
        AtomicInteger trips = new AtomicInteger();
        AtomicReference<long[]> countsAtWarm = new AtomicReference<>();
        CompletableFuture<long[]> countsAtEnd = new CompletableFuture<>();
        // One 64-byte message at a time, each sent once the last one's echo is back: every trip is
        // a read and a write on each side, and the counters are read on the client's loop between trips.
        Channel client = new Bootstrap().group(clientGroup).channel(NamedPipeChannel.class)
                .handler(new SimpleChannelInboundHandler<ByteBuf>() {
                    private int echoed;

                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        send(ctx);
                    }

                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                        echoed += msg.readableBytes();
                        if (echoed < 64) {
                            return;
                        }
                        echoed -= 64;
                        int done = trips.incrementAndGet();
                        if (done == warmTrips) {
                            countsAtWarm.set(new long[] {NativeAllocations.allocatedCount(), NativeHandles.liveCount()});
                        }
                        if (done == warmTrips + timedTrips) {
                            countsAtEnd.complete(new long[] {NativeAllocations.allocatedCount(), NativeHandles.liveCount()});
                            return;
                        }
                        send(ctx);
                    }

                    private void send(ChannelHandlerContext ctx) {
                        ctx.writeAndFlush(ctx.alloc().directBuffer(64).writeZero(64));
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        countsAtEnd.completeExceptionally(cause);
                    }
                }).connect(address).sync().channel();
        channels.add(client);
        long[] end;
        try {
            end = countsAtEnd.get(LIMIT_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            NamedPipeChannel c = (NamedPipeChannel) client;
            String clientState = c.eventLoop().submit(c::state).get(10, TimeUnit.SECONDS);
            String childStates = childStates();
            throw new AssertionError("stalled after " + trips.get() + " round trips; client: " + clientState + "; server's children: "
                    + childStates, e);
        }
        long[] warm = countsAtWarm.get();
        // The server's loop is in this JVM too: the counters are the process's, so both sides are held.
        assertEquals(warm[0], end[0], "pipekit's native allocations during " + timedTrips + " round trips after the warm-up");
        assertEquals(warm[1], end[1], "pipekit's open handles during the same trips");
    }

    @Test
    void aBusyConnectionDoesNotMakeTheServerLoopLookAtItsConnectEventEveryTurnAndConnectsAreStillServed() throws Exception {
        NettyPipeAddress address = newAddress();
        echoServer(address, new ServerBootstrap());
        PipeEventLoop serverLoop = (PipeEventLoop) serverGroup.next();
        int trips = 500;
        AtomicInteger done = new AtomicInteger();
        CompletableFuture<Void> finished = new CompletableFuture<>();
        // One 64-byte message at a time, the next once the echo is back: every trip ends two or more
        // of the server loop's waits with WAIT_IO_COMPLETION (the read's routine, the write's).
        Channel client = new Bootstrap().group(clientGroup).channel(NamedPipeChannel.class)
                .handler(new SimpleChannelInboundHandler<ByteBuf>() {
                    private int echoed;

                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        ctx.writeAndFlush(ctx.alloc().directBuffer(64).writeZero(64));
                    }

                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                        echoed += msg.readableBytes();
                        if (echoed < 64) {
                            return;
                        }
                        echoed -= 64;
                        if (done.incrementAndGet() == trips) {
                            finished.complete(null);
                            return;
                        }
                        ctx.writeAndFlush(ctx.alloc().directBuffer(64).writeZero(64));
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        finished.completeExceptionally(cause);
                    }
                }).connect(address).sync().channel();
        channels.add(client);
        long before = serverLoop.submit(serverLoop::connectChecks).get(10, TimeUnit.SECONDS);
        finished.get(LIMIT_SECONDS, TimeUnit.SECONDS);
        long checks = serverLoop.submit(serverLoop::connectChecks).get(10, TimeUnit.SECONDS) - before;
        // Looking after every such wait was at least one look per trip (each a wineserver request
        // under Wine); now one per PipeEventLoop.CONNECT_CHECK_TURNS of them.
        assertTrue(checks <= trips / 4, () -> checks + " looks at the connect event during " + trips + " round trips");
        // And the listening instances still take connects: a second client is served.
        byte[] payload = new byte[4096];
        new Random(11).nextBytes(payload);
        assertArrayEquals(payload, echoClient(address, payload, 11).get(LIMIT_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void smallBuffersFlushedTogetherGoOutInFewWritesAndArriveInOrder() throws Exception {
        NettyPipeAddress address = newAddress();
        int buffers = 2_000;
        int size = 16;
        byte[] payload = new byte[buffers * size];
        new Random(7).nextBytes(payload);
        CompletableFuture<byte[]> received = new CompletableFuture<>();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        Channel server = new ServerBootstrap().group(serverGroup).channel(NamedPipeServerChannel.class)
                .childHandler(new SimpleChannelInboundHandler<ByteBuf>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                        byte[] bytes = new byte[msg.readableBytes()];
                        msg.readBytes(bytes);
                        got.write(bytes, 0, bytes.length);
                        if (got.size() >= payload.length) {
                            received.complete(got.toByteArray());
                        }
                    }
                }).bind(address).sync().channel();
        channels.add(server);
        NamedPipeChannel client = (NamedPipeChannel) new Bootstrap().group(clientGroup).channel(NamedPipeChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).connect(address).sync().channel();
        channels.add(client);
        // Written on the loop and flushed once: all 2,000 are flushed before the first write starts.
        client.eventLoop().submit(() -> {
            for (int i = 0; i < buffers; i++) {
                client.write(client.alloc().directBuffer(size).writeBytes(payload, i * size, size));
            }
            client.flush();
        }).sync();
        assertArrayEquals(payload, received.get(LIMIT_SECONDS, TimeUnit.SECONDS), "every byte, in order");
        long writes = client.eventLoop().submit(client::writesStarted).get(10, TimeUnit.SECONDS);
        // 32,000 bytes fit in one joined write; one write per buffer was 2,000.
        assertTrue(writes <= 2, () -> writes + " WriteFile calls for " + buffers + " buffers of " + size + " bytes");
    }

    @Test
    void aWriteMadeByAListenerWhileAJoinedWriteCompletesSendsEveryByteOnceInOrder() throws Exception {
        NettyPipeAddress address = newAddress();
        byte[] a = "first;".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] b = "second;".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] c = "third;".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] d = "written-by-the-listener".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        String expected = "first;second;third;written-by-the-listener";
        CompletableFuture<String> received = new CompletableFuture<>();
        StringBuilder got = new StringBuilder();
        Channel server = new ServerBootstrap().group(serverGroup).channel(NamedPipeServerChannel.class)
                .childHandler(new SimpleChannelInboundHandler<ByteBuf>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                        got.append(msg.toString(java.nio.charset.StandardCharsets.US_ASCII));
                        if (got.length() >= expected.length()) {
                            received.complete(got.toString());
                        }
                    }
                }).bind(address).sync().channel();
        channels.add(server);
        Channel client = new Bootstrap().group(clientGroup).channel(NamedPipeChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).connect(address).sync().channel();
        channels.add(client);
        client.eventLoop().submit(() -> {
            // The first buffer's promise completes while the joined write's buffers are removed
            // one by one; its listener writes and flushes then, as gRPC's do. That write must not
            // start before the other two are gone, or their bytes go out twice.
            client.write(client.alloc().directBuffer().writeBytes(a))
                    .addListener(done -> client.writeAndFlush(client.alloc().directBuffer().writeBytes(d)));
            client.write(client.alloc().directBuffer().writeBytes(b));
            client.write(client.alloc().directBuffer().writeBytes(c));
            client.flush();
        }).sync();
        assertEquals(expected, received.get(LIMIT_SECONDS, TimeUnit.SECONDS).substring(0, expected.length()));
    }

    @Test
    void anAcceptedChannelKnowsItsClientBeforeItIsActiveAndIsNoDuplexChannel() throws Exception {
        NettyPipeAddress address = newAddress();
        AtomicReference<PeerIdentity> seenAtActive = new AtomicReference<>();
        AtomicReference<Object> remoteAtActive = new AtomicReference<>();
        AtomicReference<Channel> child = new AtomicReference<>();
        CountDownLatch active = new CountDownLatch(1);
        Channel server = new ServerBootstrap().group(serverGroup).channel(NamedPipeServerChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        seenAtActive.set(ctx.channel().attr(PipeChannel.PEER_IDENTITY).get());
                        remoteAtActive.set(ctx.channel().remoteAddress());
                        child.set(ctx.channel());
                        active.countDown();
                    }
                }).bind(address).sync().channel();
        channels.add(server);
        Channel client = new Bootstrap().group(clientGroup).channel(NamedPipeChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).connect(address).sync().channel();
        channels.add(client);
        assertTrue(active.await(LIMIT_SECONDS, TimeUnit.SECONDS));
        PeerIdentity identity = seenAtActive.get();
        assertNotNull(identity, "the identity attribute is set before channelActive");
        assertEquals(ProcessHandle.current().pid(), identity.processId().orElse(-1), "the client is this process");
        PipePeerAddress remote = assertInstanceOf(PipePeerAddress.class, remoteAtActive.get());
        assertEquals(address, remote.pipe());
        assertEquals(identity, remote.identity());
        assertEquals(identity, ((PipeChannel) child.get()).peerIdentity());
        assertEquals(address, server.localAddress());
        assertEquals(address, client.remoteAddress());
        assertNotNull(((PipeChannel) client).peerIdentity(), "the client read who serves the pipe");
        assertFalse(child.get() instanceof DuplexChannel, "a named pipe has no half-close");
        assertFalse(client instanceof DuplexChannel);
    }

    @Test
    void aRefusedClientNeverReachesAPipelineAndTheNextAdmittedOneIsServed() throws Exception {
        NettyPipeAddress address = newAddress();
        AtomicInteger asked = new AtomicInteger();
        AtomicInteger children = new AtomicInteger();
        // The first client is refused, the rest admitted.
        Channel server = new ServerBootstrap().group(serverGroup).channel(NamedPipeServerChannel.class)
                .option(PipeChannelOption.ADMISSION, identity -> asked.incrementAndGet() > 1)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void handlerAdded(ChannelHandlerContext ctx) {
                        children.incrementAndGet();
                    }

                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ctx.writeAndFlush(msg);
                    }
                }).bind(address).sync().channel();
        channels.add(server);
        CompletableFuture<Void> refusedClosed = new CompletableFuture<>();
        Channel refused = new Bootstrap().group(clientGroup).channel(NamedPipeChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).connect(address).sync().channel();
        refused.closeFuture().addListener(f -> refusedClosed.complete(null));
        refused.read();
        refusedClosed.get(LIMIT_SECONDS, TimeUnit.SECONDS); // the server let go of it: its read ends with the pipe
        assertEquals(0, children.get(), "no child channel was made for the refused client");
        byte[] hello = "hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertArrayEquals(hello, echoClient(address, hello, 7).get(LIMIT_SECONDS, TimeUnit.SECONDS));
        assertEquals(1, children.get());
        assertEquals(2, asked.get());
    }

    /**
     * A child whose writes all complete at once (a listener writes again as each one is written,
     * to a client that keeps reading) goes on in turns of {@code WRITE_SPIN_COUNT} writes, with
     * the loop's wait between them: another client of the same one-thread loop is served
     * meanwhile. Before, the turn's continuation was a task of the loop's, and Netty's
     * {@code runAllTasks} runs the tasks added while it runs: the loop never waited again. Later,
     * with 1 MiB pipe buffers, the listener's own writes did the same (Netty runs listeners as
     * tasks past a stack depth), until the loop bounded each turn's tasks by time.
     */
    @Test
    void writesThatAllCompleteAtOnceDoNotKeepTheOtherChannelsOfTheLoopWaiting() throws Exception {
        NettyPipeAddress address = newAddress();
        java.util.concurrent.atomic.AtomicBoolean flooding = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicLong flooded = new java.util.concurrent.atomic.AtomicLong();
        Channel server = new ServerBootstrap().group(serverGroup, serverGroup).channel(NamedPipeServerChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public boolean isSharable() {
                        return true;
                    }

                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ByteBuf in = (ByteBuf) msg;
                        if (in.readableBytes() == 1 && in.getByte(in.readerIndex()) == 'F') { // the flood's client
                            in.release();
                            flood(ctx);
                        } else {
                            ctx.writeAndFlush(msg);
                        }
                    }

                    private void flood(ChannelHandlerContext ctx) {
                        if (flooding.get() && ctx.channel().isActive()) {
                            ctx.writeAndFlush(ctx.alloc().directBuffer(1024).writeZero(1024)).addListener(done -> {
                                flooded.addAndGet(1024);
                                flood(ctx);
                            });
                        }
                    }
                }).bind(address).sync().channel();
        channels.add(server);
        java.util.concurrent.atomic.AtomicLong received = new java.util.concurrent.atomic.AtomicLong();
        Channel floodClient = new Bootstrap().group(clientGroup).channel(NamedPipeChannel.class)
                .handler(new SimpleChannelInboundHandler<ByteBuf>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                        received.addAndGet(msg.readableBytes());
                    }
                }).connect(address).sync().channel();
        channels.add(floodClient);
        floodClient.writeAndFlush(floodClient.alloc().buffer(1).writeByte('F'));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LIMIT_SECONDS);
        while (flooded.get() < 1024 * 1024 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(flooded.get() >= 1024 * 1024, "the flood never got going: " + flooded.get() + " bytes");
        try {
            for (int i = 0; i < 20; i++) {
                byte[] hello = new byte[64];
                new Random(i).nextBytes(hello);
                assertArrayEquals(hello, echoClient(address, hello, i).get(LIMIT_SECONDS, TimeUnit.SECONDS), "round trip " + i);
            }
            long during = flooded.get();
            while (flooded.get() == during && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertTrue(flooded.get() > during, "the flood stopped");
        } finally {
            flooding.set(false);
        }
    }

    @Test
    void aReadOfBytesAlreadyInThePipeTakesThemAllNotJustTheAllocatorsGuess() throws Exception {
        // One write, within the server's 1 MiB pipe buffer: all of it is in the pipe at once.
        Download download = download(1, 512 * 1024, 1, null);
        assertArrayEquals(download.expected(), download.bytes(), "every byte, in order");
        // Reads of the guess took at most 64 KiB each (Netty's adaptive allocator's limit).
        assertTrue(download.largestRead() > 64 * 1024,
                () -> "the largest read took " + download.largestRead() + " of the " + download.expected().length + " bytes in the pipe");
    }

    @Test
    void aReadBatchEndsAfterAPipeBufferOfBytesSoThatTheLoopsOtherWorkIsNotKeptWaiting() throws Exception {
        // Four writes of 512 KiB, 2 MiB: more than the 1 MiB pipe buffer holds; the later ones wait for the reader.
        Download download = download(4, 512 * 1024, 1, null);
        assertArrayEquals(download.expected(), download.bytes(), "every byte, in order");
        int first = download.batches().get(0);
        // Without a bound the batch read on while bytes were in the pipe: all 2 MiB in one batch.
        // With it, the batch ends once it took 1 MiB: its last read may take up to 1 MiB more.
        assertTrue(first < download.expected().length && first < 2 * NamedPipeChannel.READ_AT_ONCE_LIMIT,
                () -> "the first batch took " + first + " bytes: " + download.batches());
    }

    @Test
    void anAllocatorTheUserSetSizesEveryReadAsNettyMeansIt() throws Exception {
        // Up to 16 reads per batch, as the channel's own: Netty's fixed allocator does one by default.
        FixedRecvByteBufAllocator reads = new FixedRecvByteBufAllocator(4096);
        reads.maxMessagesPerRead(16);
        Download download = download(1, 512 * 1024, 1, reads);
        assertArrayEquals(download.expected(), download.bytes(), "every byte, in order");
        assertTrue(download.largestRead() <= 4096, () -> "the largest read took " + download.largestRead() + " bytes");
    }

    /** What a client got: the bytes, each read batch's size, the largest read; and what was sent. */
    private record Download(byte[] expected, byte[] bytes, List<Integer> batches, long largestRead) {
    }

    /**
     * A server that answers a client's byte with {@code writes} writes of {@code size} bytes, and a
     * client that starts reading, with auto-read, once {@code landed} of them have completed,
     * reading with {@code reads} ({@code null}: the channel's own allocator).
     */
    private Download download(int writes, int size, int landed, RecvByteBufAllocator reads) throws Exception {
        NettyPipeAddress address = newAddress();
        byte[] payload = new byte[writes * size];
        new Random(11).nextBytes(payload);
        AtomicInteger written = new AtomicInteger();
        Channel server = new ServerBootstrap().group(serverGroup).channel(NamedPipeServerChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ((ByteBuf) msg).release();
                        for (int i = 0; i < writes; i++) {
                            ctx.write(ctx.alloc().directBuffer(size).writeBytes(payload, i * size, size))
                                    .addListener(f -> written.incrementAndGet());
                        }
                        ctx.flush();
                    }
                }).bind(address).sync().channel();
        channels.add(server);
        CompletableFuture<byte[]> received = new CompletableFuture<>();
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        List<Integer> batches = new java.util.concurrent.CopyOnWriteArrayList<>();
        Bootstrap bootstrap = new Bootstrap().group(clientGroup).channel(NamedPipeChannel.class).option(ChannelOption.AUTO_READ, false);
        if (reads != null) {
            bootstrap.option(ChannelOption.RCVBUF_ALLOCATOR, reads);
        }
        NamedPipeChannel client = (NamedPipeChannel) bootstrap.handler(new ChannelInboundHandlerAdapter() {
            private int batch;

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
                ByteBuf buf = (ByteBuf) msg;
                batch += buf.readableBytes();
                buf.readBytes(got, buf.readableBytes());
                buf.release();
            }

            @Override
            public void channelReadComplete(ChannelHandlerContext ctx) {
                batches.add(batch);
                batch = 0;
                if (got.size() >= payload.length) {
                    received.complete(got.toByteArray());
                }
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                received.completeExceptionally(cause);
            }
        }).connect(address).sync().channel();
        channels.add(client);
        client.writeAndFlush(client.alloc().directBuffer(1).writeByte(1)).sync();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LIMIT_SECONDS);
        while (written.get() < landed) {
            assertTrue(System.nanoTime() < deadline, () -> written.get() + " of the server's writes completed");
            Thread.sleep(5);
        }
        // Auto-read from now on: a batch goes on while bytes are there (with it off, each read() is one read).
        // Its first read asks for the allocator's first guess, a few KiB, and finds the bytes there.
        client.config().setAutoRead(true);
        byte[] bytes = received.get(LIMIT_SECONDS, TimeUnit.SECONDS);
        long largest = client.eventLoop().submit(client::largestRead).get(10, TimeUnit.SECONDS);
        return new Download(payload, bytes, batches, largest);
    }

    /**
     * A server's pipe buffers are 1 MiB unless set, gRPC's flow-control window: a stream's writes
     * come in tens of KiB, and with the 4 KiB of pipekit's message server each one waited for
     * the reader (the gRPC stream made 38 reads per MB under Wine instead of 20); with 64 KiB
     * the stream still did about a tenth fewer MB/s under Wine than with 1 MiB.
     */
    @Test
    void aServersPipeBuffersAre1MiBByDefault() throws Exception {
        NettyPipeAddress address = newAddress();
        echoServer(address, new ServerBootstrap());
        Kernel32 k = Kernel32.INSTANCE;
        HANDLE client = k.CreateFile(address.pipeName().path(), WinNT.GENERIC_READ | WinNT.GENERIC_WRITE, 0, null, WinNT.OPEN_EXISTING, 0, null);
        assertFalse(WinBase.INVALID_HANDLE_VALUE.equals(client), () -> "CreateFile failed: " + k.GetLastError());
        try {
            IntByReference out = new IntByReference();
            IntByReference in = new IntByReference();
            assertTrue(k.GetNamedPipeInfo(client, null, out, in, null), () -> "GetNamedPipeInfo failed: " + k.GetLastError());
            assertEquals(1024 * 1024, out.getValue(), "output buffer");
            assertEquals(1024 * 1024, in.getValue(), "input buffer");
        } finally {
            k.CloseHandle(client);
        }
    }

    @Test
    void bindingANameAnotherServerHoldsFailsWithPipeNameInUse() throws Exception {
        NettyPipeAddress address = newAddress();
        echoServer(address, new ServerBootstrap());
        ChannelFuture second = new ServerBootstrap().group(serverGroup).channel(NamedPipeServerChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter()).bind(address).await();
        assertInstanceOf(PipeNameInUseException.class, second.cause());
        // Netty's bootstrap closes a channel whose bind failed, in a listener after the failure.
        assertTrue(second.channel().closeFuture().await(LIMIT_SECONDS, TimeUnit.SECONDS), "the refused server channel closes");
        // The first server still holds and serves the name.
        byte[] hello = {1, 2, 3};
        assertArrayEquals(hello, echoClient(address, hello, 3).get(LIMIT_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void aClosedServersNameIsFreeAsSoonAsItsCloseCompletes() throws Exception {
        NettyPipeAddress address = newAddress();
        Channel first = echoServer(address, new ServerBootstrap());
        first.close().sync();
        // Its listening instances went with the close, as a closed socket's port does: no retry needed.
        echoServer(address, new ServerBootstrap());
        byte[] hello = {4, 5, 6};
        assertArrayEquals(hello, echoClient(address, hello, 4).get(LIMIT_SECONDS, TimeUnit.SECONDS));
    }

    /**
     * A pipe's name is its instances': while a connection the closed server accepted lives, the
     * name is still taken, and a new server is refused rather than joining that pipe. On Windows
     * {@code FILE_FLAG_FIRST_PIPE_INSTANCE} refuses it; Wine ignores the flag, and pipekit's count of
     * the pipe's instances refuses it there: the rule holds on both, and this checks it.
     */
    @Test
    void aNameIsTakenWhileAConnectionItsClosedServerAcceptedLives() throws Exception {
        NettyPipeAddress address = newAddress();
        CountDownLatch childActive = new CountDownLatch(1);
        AtomicReference<Channel> child = new AtomicReference<>();
        Channel first = new ServerBootstrap().group(serverGroup).channel(NamedPipeServerChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        child.set(ctx.channel());
                        childActive.countDown();
                    }
                }).bind(address).sync().channel();
        Channel client = new Bootstrap().group(clientGroup).channel(NamedPipeChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).connect(address).sync().channel();
        channels.add(client);
        assertTrue(childActive.await(LIMIT_SECONDS, TimeUnit.SECONDS));
        first.close().sync();
        ChannelFuture second = new ServerBootstrap().group(serverGroup).channel(NamedPipeServerChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter()).bind(address).await();
        assertInstanceOf(PipeNameInUseException.class, second.cause(), "the accepted connection's instance still holds the name");
        // Once that connection is gone at both ends, the name is free: its handles close after
        // their cancelled reads complete, so the bind is retried until then.
        child.get().close().sync();
        client.close().sync();
        ChannelFuture third = null;
        for (int attempt = 0; attempt < 600; attempt++) {
            third = new ServerBootstrap().group(serverGroup).channel(NamedPipeServerChannel.class)
                    .childHandler(new ChannelInboundHandlerAdapter()).bind(address).await();
            if (third.isSuccess()) {
                break;
            }
            assertInstanceOf(PipeNameInUseException.class, third.cause());
            Thread.sleep(50);
        }
        assertTrue(third.isSuccess(), "the name stayed taken after the connection closed at both ends");
        channels.add(third.channel());
    }

    @Test
    void connectingToNoSuchPipeFailsWithConnectException() throws Exception {
        ChannelFuture connect = new Bootstrap().group(clientGroup).channel(NamedPipeChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).connect(newAddress()).await();
        assertInstanceOf(ConnectException.class, connect.cause());
        assertFalse(connect.channel().isOpen());
    }

    @Test
    void aConnectWhileEveryInstanceIsBusyRetriesOnTheLoopAndTimesOut() throws Exception {
        NettyPipeAddress address = newAddress();
        // One instance at most, taken by the first client: the second finds the pipe busy until its timeout.
        Channel server = new ServerBootstrap().group(serverGroup).channel(NamedPipeServerChannel.class)
                .option(PipeChannelOption.MAX_INSTANCES, 1)
                .childHandler(new ChannelInboundHandlerAdapter()).bind(address).sync().channel();
        channels.add(server);
        Channel first = new Bootstrap().group(clientGroup).channel(NamedPipeChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).connect(address).sync().channel();
        channels.add(first);
        ChannelFuture second = new Bootstrap().group(clientGroup).channel(NamedPipeChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 300)
                .handler(new ChannelInboundHandlerAdapter()).connect(address).await();
        assertInstanceOf(ConnectTimeoutException.class, second.cause());
        assertFalse(second.channel().isOpen());
    }

    @Test
    void aReadBufferThatCannotBeAllocatedCostsOnlyItsChannelNotTheLoop() throws Exception {
        NettyPipeAddress failing = newAddress();
        NettyPipeAddress healthy = newAddress();
        AtomicBoolean outOfMemory = new AtomicBoolean();
        // Netty's pooled allocator throws OutOfDirectMemoryError, an Error, at its limit.
        ByteBufAllocator exhausted = new AbstractByteBufAllocator(true) {
            @Override
            protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
                if (outOfMemory.get()) {
                    throw new OutOfMemoryError("no direct memory left (this test's allocator)");
                }
                return UnpooledByteBufAllocator.DEFAULT.directBuffer(initialCapacity, maxCapacity);
            }

            @Override
            protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
                return UnpooledByteBufAllocator.DEFAULT.heapBuffer(initialCapacity, maxCapacity);
            }

            @Override
            public boolean isDirectBufferPooled() {
                return false;
            }
        };
        CompletableFuture<Throwable> told = new CompletableFuture<>();
        CompletableFuture<Channel> activeChild = new CompletableFuture<>();
        CompletableFuture<Channel> failingChild = new CompletableFuture<>();
        channels.add(new ServerBootstrap().group(serverGroup).channel(NamedPipeServerChannel.class)
                .childOption(ChannelOption.ALLOCATOR, exhausted)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        activeChild.complete(ctx.channel());
                        ctx.fireChannelActive();
                    }

                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        failingChild.complete(ctx.channel());
                        outOfMemory.set(true); // the next read's buffer cannot be allocated
                        ctx.writeAndFlush(msg);
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        told.complete(cause);
                    }
                }).bind(failing).sync().channel());
        echoServer(healthy, new ServerBootstrap()); // on the same one-thread loop
        Channel client = new Bootstrap().group(clientGroup).channel(NamedPipeChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).connect(failing).sync().channel();
        channels.add(client);

        assertTrue(client.writeAndFlush(client.alloc().directBuffer().writeBytes(new byte[100])).await(LIMIT_SECONDS, TimeUnit.SECONDS),
                "the client's write completed");

        Channel child = failingChild.completeOnTimeout(null, LIMIT_SECONDS, TimeUnit.SECONDS).get();
        assertNotNull(child, () -> "the child read nothing: its pipeline told " + told.getNow(null) + ", client active "
                + client.isActive() + ", child " + stateOf(activeChild.getNow(null)));
        assertInstanceOf(OutOfMemoryError.class, told.get(LIMIT_SECONDS, TimeUnit.SECONDS), "what the child's pipeline was told");
        assertTrue(child.closeFuture().await(LIMIT_SECONDS, TimeUnit.SECONDS), "the child closed");
        assertTrue(client.closeFuture().await(LIMIT_SECONDS, TimeUnit.SECONDS), "and so its client's end");
        byte[] payload = new byte[200_000];
        new Random(5).nextBytes(payload);
        assertArrayEquals(payload, echoClient(healthy, payload, 5).get(LIMIT_SECONDS, TimeUnit.SECONDS),
                "the loop still serves its other server");
    }

    @Test
    void deregisteringAnOpenChannelClosesItAndItsPendingReadIsFreedOnItsLoop() throws Exception {
        NettyPipeAddress address = newAddress();
        echoServer(address, new ServerBootstrap());
        List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        Channel client = new Bootstrap().group(clientGroup).channel(NamedPipeChannel.class)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelInactive(ChannelHandlerContext ctx) {
                        events.add("inactive");
                    }

                    @Override
                    public void channelUnregistered(ChannelHandlerContext ctx) {
                        events.add("unregistered");
                    }
                }).connect(address).sync().channel();
        channels.add(client);
        assertTrue(client.eventLoop().submit(((NamedPipeChannel) client)::ioPending).get(LIMIT_SECONDS, TimeUnit.SECONDS),
                "a read is pending (auto-read)");

        client.deregister().sync();

        // Overlapped I/O, and the routine that ends it, belong to the thread that issued it: the
        // channel cannot move to another loop, so it closes; stop() checks that the cancelled
        // read's buffer, the OVERLAPPEDs and the handle were freed once it completed.
        assertTrue(client.closeFuture().await(LIMIT_SECONDS, TimeUnit.SECONDS), "the deregistered channel closed");
        assertFalse(client.isRegistered());
        assertEquals(List.of("inactive", "unregistered"), events, "its handler heard it close, then leave the loop");
    }

    @Test
    void aBoundServerKeepsItsMaxInstancesAsThePipeDoes() throws Exception {
        Channel server = new ServerBootstrap().group(serverGroup).channel(NamedPipeServerChannel.class)
                .option(PipeChannelOption.MAX_INSTANCES, 3)
                .childHandler(new ChannelInboundHandlerAdapter()).bind(newAddress()).sync().channel();
        channels.add(server);

        assertThrows(IllegalStateException.class,
                () -> server.config().setOption(PipeChannelOption.MAX_INSTANCES, 4));
        assertTrue(server.config().setOption(PipeChannelOption.MAX_INSTANCES, 3), "the same value is no change");
        assertEquals(3, server.config().getOption(PipeChannelOption.MAX_INSTANCES));
    }

    @Test
    void aConnectTimeoutOfZeroWaitsForABusyPipeWithoutEnd() throws Exception {
        NettyPipeAddress address = newAddress();
        Channel server = new ServerBootstrap().group(serverGroup).channel(NamedPipeServerChannel.class)
                .option(PipeChannelOption.MAX_INSTANCES, 1)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public boolean isSharable() {
                        return true; // two children, one after the other
                    }
                }).bind(address).sync().channel();
        channels.add(server);
        Channel first = new Bootstrap().group(clientGroup).channel(NamedPipeChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).connect(address).sync().channel();
        ChannelFuture second = new Bootstrap().group(clientGroup).channel(NamedPipeChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 0) // Netty's "no timeout"
                .handler(new ChannelInboundHandlerAdapter()).connect(address);
        channels.add(second.channel());

        assertFalse(second.await(500, TimeUnit.MILLISECONDS), "still waiting for a free instance, not failed: " + second.cause());
        first.close().sync(); // the instance is free again: the server listens anew

        assertTrue(second.await(LIMIT_SECONDS, TimeUnit.SECONDS));
        assertNull(second.cause());
        assertTrue(second.channel().isActive());
    }

    @Test
    void cancellingAConnectDuringTheBusyRetryClosesTheChannel() throws Exception {
        NettyPipeAddress address = newAddress();
        Channel server = new ServerBootstrap().group(serverGroup).channel(NamedPipeServerChannel.class)
                .option(PipeChannelOption.MAX_INSTANCES, 1)
                .childHandler(new ChannelInboundHandlerAdapter()).bind(address).sync().channel();
        channels.add(server);
        Channel first = new Bootstrap().group(clientGroup).channel(NamedPipeChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).connect(address).sync().channel();
        channels.add(first);
        ChannelFuture second = new Bootstrap().group(clientGroup).channel(NamedPipeChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 60_000)
                .handler(new ChannelInboundHandlerAdapter()).connect(address);
        assertTrue(second.cancel(false), "a connect retrying a busy pipe can be cancelled");
        assertTrue(second.channel().closeFuture().await(LIMIT_SECONDS, TimeUnit.SECONDS), "the cancelled channel closed");
        assertNull(second.channel().remoteAddress());
    }

    @Test
    void closingAChannelWithAReadPendingFreesEverythingOnceTheCancelledReadCompleted() throws Exception {
        NettyPipeAddress address = newAddress();
        CountDownLatch childActive = new CountDownLatch(1);
        AtomicReference<Channel> child = new AtomicReference<>();
        Channel server = new ServerBootstrap().group(serverGroup).channel(NamedPipeServerChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        child.set(ctx.channel());
                        childActive.countDown();
                    }
                }).bind(address).sync().channel();
        channels.add(server);
        Channel client = new Bootstrap().group(clientGroup).channel(NamedPipeChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).connect(address).sync().channel();
        assertTrue(childActive.await(LIMIT_SECONDS, TimeUnit.SECONDS));
        // Both ends have a read pending now (auto-read); close both from the test thread.
        NamedPipeChannel clientChannel = (NamedPipeChannel) client;
        assertTrue(client.eventLoop().submit(clientChannel::ioPending).get(LIMIT_SECONDS, TimeUnit.SECONDS), "a read is pending");
        client.close().sync();
        child.get().close().sync();
        // The group's close (in stop()) must not end before the cancelled reads completed; the counts then prove the frees.
    }
}
