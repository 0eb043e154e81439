package io.pipekit.netty.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.pipekit.client.PipeClient;
import io.pipekit.core.PipeBusyException;
import io.pipekit.core.unix.AsideSocket;
import io.pipekit.core.unix.SocketPin;
import io.pipekit.core.unix.SocketLock;
import io.pipekit.core.unix.SocketPaths;
import io.pipekit.netty.NettyPipeAddress;
import io.pipekit.netty.PipeChannelOption;
import io.pipekit.netty.PipeNetty;
import io.pipekit.server.PipeServer;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code MAX_INSTANCES} on a Unix socket, as pipekit's own server keeps it: at the limit the server
 * stops listening (its socket file gone, its lock held), clients wait as for a busy Windows pipe, and
 * the next one is served when a child closes.
 */
@UnixPipeSuite
class UnixMaxInstancesTest {
    private static final int LIMIT_SECONDS = 30;
    private final BlockingQueue<Channel> children = new LinkedBlockingQueue<>();
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = opened.size() - 1; i >= 0; i--) {
            opened.get(i).close();
        }
    }

    private Channel serverWithAtMost(int maxInstances, NettyPipeAddress address, boolean autoRead) throws Exception {
        ServerBootstrap bootstrap = UnixPipeTestPermutation.socket().get(0).newServerInstance()
                .option(PipeChannelOption.MAX_INSTANCES, maxInstances)
                .option(ChannelOption.AUTO_READ, autoRead)
                .childHandler(new Collect());
        Channel server = bootstrap.bind(address).sync().channel();
        opened.add(() -> server.close().sync());
        return server;
    }

    /** Takes every active child into {@link #children}. */
    @ChannelHandler.Sharable
    private final class Collect extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            children.add(ctx.channel());
        }
    }

    /** A server of one instance, taken by a client whose child is active. */
    private Channel fullServer(NettyPipeAddress address) throws Exception {
        Channel server = serverWithAtMost(1, address, true);
        connected(address);
        nextChild();
        return server;
    }

    private Bootstrap client() {
        return UnixPipeTestPermutation.socket().get(0).newClientInstance().handler(new ChannelInboundHandlerAdapter());
    }

    private Channel connected(NettyPipeAddress address) throws Exception {
        Channel client = client().connect(address).sync().channel();
        opened.add(() -> client.close().sync());
        return client;
    }

    private Channel nextChild() throws InterruptedException {
        Channel child = children.poll(LIMIT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(child, "no child became active");
        return child;
    }

    /** {@code count} plain clients connected to the server's listener, waiting in its backlog until it accepts. */
    private List<SocketChannel> inTheBacklog(int count, NettyPipeAddress address) throws Exception {
        List<SocketChannel> clients = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX);
            opened.add(client);
            client.connect(UnixDomainSocketAddress.of(socketOf(address)));
            clients.add(client);
        }
        return clients;
    }

    private static Path socketOf(NettyPipeAddress address) throws Exception {
        return SocketPaths.forName(address.pipeName());
    }

    @Test
    void atTheLimitTheServerStopsListeningAndAWaitingConnectCompletesWhenAChildCloses() throws Exception {
        NettyPipeAddress address = UnixPipeTestPermutation.newAddress();
        serverWithAtMost(1, address, true);
        Path socket = socketOf(address);
        Channel first = connected(address);
        nextChild();
        assertFalse(Files.exists(socket, LinkOption.NOFOLLOW_LINKS), "a full server still listens on its path");
        assertTrue(SocketLock.isHeld(socket), "a full server let its lock go: clients would take it for gone");

        aConnectWaitsUntilItLeaves(first, address);
    }

    /** A connect to the full server at {@code address} waits, and completes once {@code first}, its one client, leaves. */
    private void aConnectWaitsUntilItLeaves(Channel first, NettyPipeAddress address) throws Exception {
        ChannelFuture second = client().option(ChannelOption.CONNECT_TIMEOUT_MILLIS, LIMIT_SECONDS * 1000).connect(address);
        opened.add(() -> second.channel().close().sync());
        assertFalse(second.await(300, TimeUnit.MILLISECONDS), "a connect to a full server did not wait: " + second.cause());

        first.close().sync();
        assertTrue(second.await(LIMIT_SECONDS, TimeUnit.SECONDS), "the waiting connect never completed");
        assertNull(second.cause());
        assertTrue(second.channel().isActive());
        nextChild();
    }

    /**
     * Review of pipe-netty: a connect that found the socket file just before the server moved it
     * aside failed ("no server accepts"), and could not be retried: a failed connect closes the
     * JDK's socket. Clients now connect through a link of their own to the file.
     */
    @Test
    void clientsRacingForTheOnlyInstanceEachWaitTheirTurnAndNoneIsRefused() throws Exception {
        NettyPipeAddress address = UnixPipeTestPermutation.newAddress();
        serverWithAtMost(1, address, true); // it stops listening at each accept, and listens again at each close

        assertEquals(List.of(), race(address), "a connect that found the socket just before the server moved it aside");
        assertNoPinsLeft(address);
    }

    /** The same race against pipekit's own server, which closed its listener when full and refused such a client. */
    @Test
    void clientsRacingForTheOnlyInstanceOfPipekitsOwnServerEachWaitTheirTurn() throws Exception {
        NettyPipeAddress address = UnixPipeTestPermutation.newAddress();
        try (PipeServer server = PipeServer.builder(address.pipeName().toString()).maxInstances(1)
                .handler((client, request) -> request).start()) {
            assertEquals(List.of(), race(address), "a connect that found the socket just before the server filled up");
        }
        assertNoPinsLeft(address);
    }

    /** Four clients that each connect and close 250 times, as fast as they can; returns how connects failed. */
    private List<Throwable> race(NettyPipeAddress address) throws InterruptedException {
        List<Throwable> refused = new CopyOnWriteArrayList<>();
        List<Thread> racers = new ArrayList<>();
        for (int r = 0; r < 4; r++) {
            Thread racer = new Thread(() -> {
                for (int i = 0; i < 250; i++) {
                    ChannelFuture connect = client().option(ChannelOption.CONNECT_TIMEOUT_MILLIS, LIMIT_SECONDS * 1000)
                            .connect(address).awaitUninterruptibly();
                    if (connect.isSuccess()) {
                        connect.channel().close().syncUninterruptibly();
                    } else {
                        refused.add(connect.cause());
                    }
                }
            }, "racer " + r);
            racers.add(racer);
            racer.start();
        }
        for (Thread racer : racers) {
            racer.join(TimeUnit.SECONDS.toMillis(LIMIT_SECONDS * 4));
            assertFalse(racer.isAlive(), racer.getName() + " is still connecting");
        }
        return refused;
    }

    private static void assertNoPinsLeft(NettyPipeAddress address) throws java.io.IOException {
        Path socket = SocketPaths.forName(address.pipeName());
        String prefix = "." + socket.getFileName() + ".";
        try (Stream<Path> files = Files.list(socket.getParent())) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().startsWith(prefix)
                    && f.getFileName().toString().endsWith(".pin")).collect(Collectors.toList()),
                    "every client's link to the socket is gone");
        }
    }

    /**
     * On a path too long for a client's own link to the socket (SocketPin), a full server was taken
     * for an absent one: the connect failed at once instead of waiting.
     */
    @Test
    void onTheLongestSocketPathAConnectToAFullServerWaitsForAnInstance(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("s".repeat(SocketPaths.MAX_PATH_BYTES - dir.toString().length() - 1));
        NettyPipeAddress address = PipeNetty.address(socket.toString());
        serverWithAtMost(1, address, true);
        Channel first = connected(address);
        nextChild();

        aConnectWaitsUntilItLeaves(first, address);
    }

    @Test
    void aConnectThatFindsTheServerFullTimesOutWithItsConnectTimeout() throws Exception {
        NettyPipeAddress address = UnixPipeTestPermutation.newAddress();
        fullServer(address);
        ChannelFuture second = client().option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 300).connect(address).await();
        assertInstanceOf(ConnectTimeoutException.class, second.cause());
        assertTrue(second.channel().closeFuture().await(LIMIT_SECONDS, TimeUnit.SECONDS));
    }

    @Test
    void pipekitsOwnClientFindsAFullServerBusy() throws Exception {
        NettyPipeAddress address = UnixPipeTestPermutation.newAddress();
        fullServer(address);
        assertThrows(PipeBusyException.class,
                () -> PipeClient.builder(address.pipeName().toString()).connectTimeout(Duration.ofMillis(300)).connect());
    }

    @Test
    void clientsTheBacklogHeldAtTheLimitWaitAcceptedAndAreServedInTurn() throws Exception {
        NettyPipeAddress address = UnixPipeTestPermutation.newAddress();
        // No accepting until all three are in the backlog: then the first takes the only instance.
        UnixPipeServerChannel server = (UnixPipeServerChannel) serverWithAtMost(1, address, false);
        List<SocketChannel> clients = inTheBacklog(3, address);
        server.read();
        Channel served = nextChild();
        assertEquals(2, server.eventLoop().submit(server::waitingClients).get(LIMIT_SECONDS, TimeUnit.SECONDS),
                "the backlog's clients were not taken in to wait");
        for (int turn = 1; turn < 3; turn++) {
            served.close().sync();
            // AUTO_READ is off: a freed instance serves the next waiting client only for a read asked for.
            assertNull(children.poll(300, TimeUnit.MILLISECONDS), "a waiting client was served with no read asked for");
            server.read();
            served = nextChild();
        }
        assertNull(children.poll(300, TimeUnit.MILLISECONDS), "more children than clients");
        // Every instance is free again: the server listens on its path once more, for a read asked for.
        served.close().sync();
        server.read();
        Channel again = connected(address);
        assertTrue(again.isActive());
        nextChild();
    }

    @Test
    void closingAFullServerClosesItsWaitingClientsAndFreesItsPath() throws Exception {
        NettyPipeAddress address = UnixPipeTestPermutation.newAddress();
        Channel server = serverWithAtMost(1, address, false);
        Path socket = socketOf(address);
        SocketChannel first = SocketChannel.open(StandardProtocolFamily.UNIX);
        SocketChannel waiting = SocketChannel.open(StandardProtocolFamily.UNIX);
        opened.add(first);
        opened.add(waiting);
        first.connect(UnixDomainSocketAddress.of(socket));
        waiting.connect(UnixDomainSocketAddress.of(socket));
        server.read();
        nextChild();
        server.close().sync();

        assertEquals(-1, waiting.read(ByteBuffer.allocate(1)), "a waiting client was left open by a closed server");
        try (var dir = Files.list(socket.getParent())) {
            assertEquals(List.of(), dir.filter(p -> p.getFileName().toString().contains(socket.getFileName().toString())
                    && !p.equals(SocketLock.fileOf(socket))).toList(), "the socket, or its link moved aside, outlived the server");
        }
        assertFalse(SocketLock.isHeld(socket));
        serverWithAtMost(1, address, true); // the name is free for the next server
        assertTrue(connected(address).isActive());
    }

    /**
     * A server that cannot move its socket aside keeps its limit: clients then queue in its backlog
     * (connected, to themselves) and are served in turn. It served them beyond the limit before;
     * a MAX_INSTANCES of 1 may be what keeps a resource to one client at a time, as on Windows,
     * where no instance beyond the limit can exist. The queue stays in the kernel's backlog (the
     * server would otherwise take the whole listen queue into its own list at every release), and
     * the failed move is said once, not at every client.
     */
    @Test
    void aServerThatCannotMoveItsSocketAsideKeepsItsLimitAndServesTheQueueInTurn() throws Exception {
        NettyPipeAddress address = UnixPipeTestPermutation.newAddress();
        Path socket = socketOf(address);
        // Where the socket would go aside: a directory that is not empty, which no delete removes.
        Path aside = socket.resolveSibling("." + socket.getFileName() + ".full");
        Files.createDirectories(aside.resolve("in-the-way"));
        opened.add(() -> {
            Files.delete(aside.resolve("in-the-way"));
            Files.delete(aside);
        });
        List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Logger log = java.util.logging.Logger.getLogger("io.pipekit.netty");
        java.util.logging.Handler recorder = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                if (record.getLevel().equals(java.util.logging.Level.WARNING)) {
                    warnings.add(record.getMessage());
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(recorder);
        opened.add(() -> log.removeHandler(recorder));
        UnixPipeServerChannel server = (UnixPipeServerChannel) serverWithAtMost(1, address, true);
        connected(address);
        Channel child = nextChild();
        assertTrue(Files.exists(socket, LinkOption.NOFOLLOW_LINKS), "the server stopped listening without its path aside");
        for (int i = 0; i < 3; i++) {
            assertTrue(connected(address).isActive(), "a client could not join the backlog");
        }
        assertNull(children.poll(300, TimeUnit.MILLISECONDS), "a second child beyond MAX_INSTANCES 1");

        for (int turn = 1; turn <= 3; turn++) {
            child.close().sync(); // its instance is free: the next client in the backlog takes it
            child = nextChild();
            assertEquals(0, server.eventLoop().submit(server::waitingClients).get(LIMIT_SECONDS, TimeUnit.SECONDS),
                    "clients taken out of the backlog while the file could not move aside");
            assertNull(children.poll(300, TimeUnit.MILLISECONDS), "a child beyond MAX_INSTANCES 1");
        }
        assertTrue(server.isActive());
        assertEquals(1, warnings.stream().filter(w -> w.contains("aside at MAX_INSTANCES failed")).count(),
                () -> "the failed move was not said exactly once: " + warnings);
    }

    @Test
    void aChildClosedWhileItIsRegisteredFreesItsInstanceWithoutReenteringTheAccept() throws Exception {
        NettyPipeAddress address = UnixPipeTestPermutation.newAddress();
        // One loop for the listener and its children: a child's close runs inside the accepting read.
        java.util.Map<Channel, Integer> seen = new java.util.concurrent.ConcurrentHashMap<>();
        Channel server = UnixPipeTestPermutation.socket().get(0).newServerInstance()
                .option(PipeChannelOption.MAX_INSTANCES, 2)
                .option(ChannelOption.AUTO_READ, false)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object child) {
                        seen.merge((Channel) child, 1, Integer::sum);
                        ctx.fireChannelRead(child);
                    }
                })
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        children.add(ctx.channel());
                        ctx.close(); // as an IP filter refusing it would
                    }

                    @Override
                    public boolean isSharable() {
                        return true;
                    }
                }).bind(address).sync().channel();
        opened.add(() -> server.close().sync());
        int clients = 5;
        for (int i = 0; i < clients; i++) {
            SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX);
            opened.add(client);
            client.connect(UnixDomainSocketAddress.of(socketOf(address)));
        }
        server.config().setAutoRead(true);
        for (int i = 0; i < clients; i++) {
            nextChild();
        }
        assertEquals(clients, seen.size());
        assertEquals(List.of(), seen.values().stream().filter(times -> times != 1).toList(),
                "a child went through the server's pipeline more than once");
        connected(address); // waits, as for a busy pipe, until the server listens again
        nextChild();
    }

    @Test
    void aWaitingClientThatHungUpCostsItsInstanceOnlyUntilItsChildCloses() throws Exception {
        NettyPipeAddress address = UnixPipeTestPermutation.newAddress();
        UnixPipeServerChannel server = (UnixPipeServerChannel) serverWithAtMost(1, address, false);
        SocketChannel first = SocketChannel.open(StandardProtocolFamily.UNIX);
        SocketChannel quitter = SocketChannel.open(StandardProtocolFamily.UNIX);
        opened.add(first);
        opened.add(quitter);
        first.connect(UnixDomainSocketAddress.of(socketOf(address)));
        quitter.connect(UnixDomainSocketAddress.of(socketOf(address)));
        server.config().setAutoRead(true);
        Channel served = nextChild();
        quitter.close(); // while it waits for an instance
        served.close().sync();
        Channel quitterChild = nextChild();
        assertTrue(quitterChild.closeFuture().await(LIMIT_SECONDS, TimeUnit.SECONDS), "the hung-up client's child stayed open");
        ChannelFuture next = client().option(ChannelOption.CONNECT_TIMEOUT_MILLIS, LIMIT_SECONDS * 1000).connect(address);
        opened.add(() -> next.channel().close().sync());
        assertTrue(next.await(LIMIT_SECONDS, TimeUnit.SECONDS));
        assertNull(next.cause(), "the instance of the client that hung up was never freed");
    }

    @Test
    void cancellingAConnectThatWaitsForAFullServerClosesItsChannel() throws Exception {
        NettyPipeAddress address = UnixPipeTestPermutation.newAddress();
        fullServer(address);
        ChannelFuture waiting = client().option(ChannelOption.CONNECT_TIMEOUT_MILLIS, LIMIT_SECONDS * 1000).connect(address);
        assertTrue(waiting.cancel(false), "a connect waiting for a full server can be cancelled");
        assertTrue(waiting.channel().closeFuture().await(LIMIT_SECONDS, TimeUnit.SECONDS), "the cancelled channel stayed open");
    }

    @Test
    void aConnectWaitingForAFullServerThatClosesFailsAsARefusedConnect() throws Exception {
        NettyPipeAddress address = UnixPipeTestPermutation.newAddress();
        Channel server = fullServer(address);
        ChannelFuture waiting = client().option(ChannelOption.CONNECT_TIMEOUT_MILLIS, LIMIT_SECONDS * 1000).connect(address);
        opened.add(() -> waiting.channel().close().sync());
        server.close().sync();
        assertTrue(waiting.await(LIMIT_SECONDS, TimeUnit.SECONDS), "the connect waited on for a server that had gone");
        assertInstanceOf(java.net.ConnectException.class, waiting.cause());
        assertFalse(waiting.cause() instanceof ConnectTimeoutException, "it timed out instead of seeing the server gone");
    }

    @Test
    void aServerThatFindsItsAsideNameTakenByAFileServesOnAndLeavesTheFileAlone() throws Exception {
        NettyPipeAddress address = UnixPipeTestPermutation.newAddress();
        Path socket = socketOf(address);
        Path aside = AsideSocket.of(socket);
        Files.writeString(aside, "someone else's");
        opened.add(() -> Files.deleteIfExists(aside));
        serverWithAtMost(1, address, true);
        Channel first = connected(address);
        nextChild();
        assertEquals("someone else's", Files.readString(aside));
        assertTrue(connected(address).isActive(), "the server stopped serving");
        first.close().sync();
        nextChild();
    }

    /**
     * Putting the socket file back can fail (something else took the path meanwhile); clients that
     * reached the listener while it was aside, through a link of their own, were then never served,
     * however many instances were free: the server accepted again only once the file was back. It
     * now accepts as soon as an instance is free.
     */
    @Test
    void aClientThatReachedAFullServerIsServedEvenWhileItsPathCannotBeRestored() throws Exception {
        NettyPipeAddress address = UnixPipeTestPermutation.newAddress();
        Path socket = socketOf(address);
        serverWithAtMost(1, address, true);
        Path pin = SocketPin.pin(socket); // a client that found the file just before the server filled up
        Channel first = connected(address);
        nextChild();
        assertFalse(Files.exists(socket, LinkOption.NOFOLLOW_LINKS), "a full server still listens on its path");
        SocketChannel late = SocketChannel.open(StandardProtocolFamily.UNIX);
        opened.add(late);
        assertTrue(late.connect(UnixDomainSocketAddress.of(pin)));
        SocketPin.unpin(pin, socket);
        Files.writeString(socket, "someone else's"); // the path is taken while the server is full
        opened.add(() -> Files.deleteIfExists(socket));

        first.close().sync();
        nextChild(); // the late client's
        assertEquals("someone else's", Files.readString(socket));
    }

    @Test
    void maxInstancesIsOneToUnlimitedAsOnWindows() throws Exception {
        Channel server = serverWithAtMost(7, UnixPipeTestPermutation.newAddress(), true);
        assertEquals(7, server.config().getOption(PipeChannelOption.MAX_INSTANCES));
        assertThrows(IllegalArgumentException.class, () -> server.config().setOption(PipeChannelOption.MAX_INSTANCES, 0));
        assertThrows(IllegalArgumentException.class, () -> server.config().setOption(PipeChannelOption.MAX_INSTANCES, 256));
        assertThrows(IllegalStateException.class, () -> server.config().setOption(PipeChannelOption.MAX_INSTANCES, 8),
                "a bound server keeps its limit, as a Windows pipe does");
        assertTrue(server.config().setOption(PipeChannelOption.MAX_INSTANCES, 7), "the same value is no change");
        assertEquals(7, server.config().getOption(PipeChannelOption.MAX_INSTANCES));
    }

    @Test
    void withAutoReadOffAWaitingClientTheAdmissionRefusesDoesNotUseUpTheReadAskedFor() throws Exception {
        NettyPipeAddress address = UnixPipeTestPermutation.newAddress();
        AtomicInteger checked = new AtomicInteger();
        UnixPipeServerChannel server = (UnixPipeServerChannel) UnixPipeTestPermutation.socket().get(0).newServerInstance()
                .option(PipeChannelOption.MAX_INSTANCES, 1)
                .option(ChannelOption.AUTO_READ, false)
                .option(PipeChannelOption.ADMISSION, identity -> checked.incrementAndGet() != 2) // the second client is refused
                .childHandler(new Collect()).bind(address).sync().channel();
        opened.add(() -> server.close().sync());
        List<SocketChannel> clients = inTheBacklog(3, address);
        server.read();
        Channel served = nextChild();
        assertEquals(2, server.eventLoop().submit(server::waitingClients).get(LIMIT_SECONDS, TimeUnit.SECONDS));

        served.close().sync();
        server.read(); // one read: the second client is refused, and the third is served by the same read

        nextChild();
        assertEquals(-1, clients.get(1).read(ByteBuffer.allocate(1)), "the refused client's connection is closed");
        assertEquals(3, checked.get());
    }
}
