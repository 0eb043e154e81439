package io.pipekit.netty.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.pipekit.core.PeerIdentity;
import io.pipekit.core.PipeNameInUseException;
import io.pipekit.core.ServerTrust;
import io.pipekit.core.UntrustedServerException;
import io.pipekit.core.unix.PeerCredentials;
import io.pipekit.core.unix.SocketLock;
import io.pipekit.core.unix.SocketPaths;
import io.pipekit.netty.NettyPipeAddress;
import io.pipekit.netty.PipeChannel;
import io.pipekit.netty.PipeChannelOption;
import io.pipekit.netty.PipeNetty;
import io.pipekit.netty.PipePeerAddress;
import io.pipekit.netty.PipeServerChannel;
import io.pipekit.server.Admission;
import java.net.ConnectException;
import java.net.SocketOption;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.nio.file.attribute.PosixFilePermission;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the Unix pipe channels add to Netty's NIO channels, and the replacements for the Netty
 * suite's tests that assume TCP (docs/netty.md): the socket path claimed and secured as pipekit's
 * server does it, identity before the channel is active, admission before a child exists, server
 * trust before a connect completes, and the failures a pipe client sees.
 */
@UnixPipeSuite
class UnixPipeChannelsTest {
    private static ServerBootstrap server() {
        return UnixPipeTestPermutation.socket().get(0).newServerInstance();
    }

    /** A server bootstrap whose children are put in {@code children} once active. */
    private static ServerBootstrap serverCollecting(BlockingQueue<Channel> children) {
        return server().childHandler(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                children.add(ctx.channel());
            }
        });
    }

    private static Bootstrap client() {
        return UnixPipeTestPermutation.socket().get(0).newClientInstance().handler(new ChannelInboundHandlerAdapter());
    }

    private static Path socketOf(NettyPipeAddress address) throws Exception {
        return SocketPaths.forName(address.pipeName());
    }

    @Test
    void pipeNettyHandsOutTheUnixChannelsOnThisOs() {
        assertSame(UnixPipeServerChannel.class, PipeNetty.serverChannelType());
        assertSame(UnixPipeChannel.class, PipeNetty.channelType());
        assertThrows(IllegalArgumentException.class, () -> PipeNetty.eventLoopGroup(0));
    }

    @Test
    void aBoundServerOwnsAnOwnerOnlySocketAndItsLockUntilItCloses() throws Exception {
        NettyPipeAddress address = UnixPipeTestPermutation.newAddress();
        Channel server = server().childHandler(new ChannelInboundHandlerAdapter()).bind(address).sync().channel();
        Path socket = socketOf(address);
        try {
            assertEquals(address, server.localAddress());
            assertEquals(address, ((PipeServerChannel) server).localAddress());
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket, LinkOption.NOFOLLOW_LINKS)));
            assertTrue(SocketLock.isHeld(socket));
        } finally {
            server.close().sync();
        }
        assertFalse(Files.exists(socket, LinkOption.NOFOLLOW_LINKS), "the socket file outlived its server");
        assertFalse(SocketLock.isHeld(socket), "the lock outlived its server");
    }

    /**
     * A client connects through a link of its own to the socket file (SocketPin), whose name is
     * longer than the socket's: on a path as long as a socket path may be, every connect failed
     * until the client fell back to the path itself.
     */
    @Test
    void aPipeOnTheLongestSocketPathServesItsClients(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("s".repeat(SocketPaths.MAX_PATH_BYTES - dir.toString().length() - 1));
        NettyPipeAddress address = PipeNetty.address(socket.toString());
        Channel server = server().childHandler(new ChannelInboundHandlerAdapter()).bind(address).sync().channel();
        try {
            Channel client = client().connect(address).sync().channel();
            assertTrue(client.isActive());
            client.close().sync();
        } finally {
            server.close().sync();
        }
    }

    @Test
    void aSecondServerOnTheSameAddressFailsToBindAndLeavesTheFirstServing() throws Exception {
        NettyPipeAddress address = UnixPipeTestPermutation.newAddress();
        Channel first = server().childHandler(new ChannelInboundHandlerAdapter()).bind(address).sync().channel();
        try {
            ChannelFuture second = server().childHandler(new ChannelInboundHandlerAdapter()).bind(address).await();
            assertInstanceOf(PipeNameInUseException.class, second.cause());
            second.channel().closeFuture().await(30, TimeUnit.SECONDS); // the bootstrap closes it once the bind failed
            assertFalse(second.channel().isOpen());
            Channel client = client().connect(address).sync().channel();
            assertTrue(client.isActive(), "the first server stopped serving");
            client.close().sync();
        } finally {
            first.close().sync();
        }
    }

    @Test
    void aStaleSocketNobodyAcceptsOnIsReplaced() throws Exception {
        NettyPipeAddress address = UnixPipeTestPermutation.newAddress();
        Path socket = socketOf(address);
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket)); // closed below without removing its file: a crashed server's
        }
        assertTrue(Files.exists(socket, LinkOption.NOFOLLOW_LINKS));
        Channel server = server().childHandler(new ChannelInboundHandlerAdapter()).bind(address).sync().channel();
        try {
            client().connect(address).sync().channel().close().sync();
        } finally {
            server.close().sync();
        }
    }

    @Test
    void aConnectToAPipeNobodyServesFailsAsARefusedConnect() throws Exception {
        NettyPipeAddress address = UnixPipeTestPermutation.newAddress();
        ChannelFuture connect = client().connect(address).await();
        assertInstanceOf(ConnectException.class, connect.cause());
        assertTrue(connect.cause().getMessage().contains(socketOf(address).toString()), connect.cause().getMessage());
        connect.channel().closeFuture().sync(); // and the channel is closed
    }

    /**
     * A server whose backlog is full refuses at once (a Unix socket's connect never waits), and the
     * failure says it is busy, not that nobody serves the pipe (a review found both said "no
     * server accepts", which sends whoever reads the log looking for a server that is there).
     */
    @Test
    @org.junit.jupiter.api.condition.EnabledOnOs(org.junit.jupiter.api.condition.OS.LINUX)
    void aConnectToAServerWhoseBacklogIsFullFailsAtOnceSayingItIsBusy() throws Exception {
        NettyPipeAddress address = UnixPipeTestPermutation.newAddress();
        Channel server = server().option(ChannelOption.AUTO_READ, false).option(ChannelOption.SO_BACKLOG, 1)
                .childHandler(new ChannelInboundHandlerAdapter()).bind(address).sync().channel();
        List<java.nio.channels.SocketChannel> waiting = new java.util.ArrayList<>();
        try {
            boolean full = false;
            for (int i = 0; i < 64 && !full; i++) { // nothing accepts: the backlog fills after a few
                java.nio.channels.SocketChannel client = java.nio.channels.SocketChannel.open(StandardProtocolFamily.UNIX);
                client.configureBlocking(false);
                waiting.add(client);
                try {
                    client.connect(UnixDomainSocketAddress.of(socketOf(address)));
                } catch (java.io.IOException e) {
                    full = true;
                }
            }
            assertTrue(full, "the backlog never filled");
            ChannelFuture connect = client().connect(address).await();
            assertInstanceOf(ConnectException.class, connect.cause());
            assertTrue(connect.cause().getMessage().contains("busy"), connect.cause().getMessage());
        } finally {
            for (java.nio.channels.SocketChannel client : waiting) {
                client.close();
            }
            server.close().sync();
        }
    }

    @Test
    void anAcceptedChildKnowsItsClientBeforeItIsActive() throws Exception {
        NettyPipeAddress address = UnixPipeTestPermutation.newAddress();
        BlockingQueue<Object[]> seen = new ArrayBlockingQueue<>(1);
        Channel server = server().childHandler(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                PipeChannel child = (PipeChannel) ctx.channel();
                seen.add(new Object[] {child.peerIdentity(), child.attr(PipeChannel.PEER_IDENTITY).get(), child.remoteAddress(), child.localAddress()});
            }
        }).bind(address).sync().channel();
        try {
            Channel client = client().connect(address).sync().channel();
            Object[] child = seen.poll(30, TimeUnit.SECONDS);
            assertNotNull(child, "the child never became active");
            PeerIdentity identity = (PeerIdentity) child[0];
            assertEquals(PeerCredentials.currentUid(), identity.uid().getAsLong());
            assertEquals(ProcessHandle.current().pid(), identity.processId().getAsLong());
            assertSame(identity, child[1]);
            assertEquals(new PipePeerAddress(address, identity), child[2]);
            assertEquals(address, child[3]);
            // The client's view: the server, checked by its trust.
            PipeChannel pipeClient = (PipeChannel) client;
            assertEquals(PeerCredentials.currentUid(), pipeClient.peerIdentity().uid().getAsLong());
            assertEquals(address, pipeClient.localAddress());
            assertEquals(address, ((PipePeerAddress) client.remoteAddress()).pipe());
            client.close().sync();
        } finally {
            server.close().sync();
        }
    }

    @Test
    void aClientTheAdmissionRefusesNeverReachesAPipeline() throws Exception {
        refusedByAdmission(client -> false);
    }

    @Test
    void anAdmissionThatThrowsRefusesTheClient() throws Exception {
        refusedByAdmission(client -> {
            throw new IllegalStateException("admission broke");
        });
    }

    /**
     * Refused clients cost one read each, as accepted ones do: a refusal ends the server channel's
     * read, so the event loop runs its tasks (and every other channel it serves) before it refuses
     * the next. Before, one read refused every client waiting in the backlog, and clients that
     * reconnected as fast as they were refused held the loop inside that read: no task, no other
     * connection ran (a review's probe starved a task for over 30 s behind 300,000 refusals).
     *
     * <p>Deterministic: all the clients wait in the backlog before the server reads once; the first
     * admission asks the loop to run a task, which notes how many refusals came before it.
     */
    @Test
    void refusedClientsAreRefusedOneReadAtATimeSoTheLoopsTasksRunBetweenThem() throws Exception {
        int waiting = 20;
        NettyPipeAddress address = UnixPipeTestPermutation.newAddress();
        AtomicInteger asked = new AtomicInteger();
        BlockingQueue<Integer> refusedBeforeTheTask = new ArrayBlockingQueue<>(1);
        Channel[] server = new Channel[1];
        server[0] = server().option(ChannelOption.AUTO_READ, false).option(ChannelOption.SO_BACKLOG, 64)
                .option(PipeChannelOption.ADMISSION, client -> {
                    if (asked.incrementAndGet() == 1) {
                        server[0].eventLoop().execute(() -> refusedBeforeTheTask.add(asked.get()));
                    }
                    return false;
                }).childHandler(new ChannelInboundHandlerAdapter()).bind(address).sync().channel();
        List<java.nio.channels.SocketChannel> clients = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < waiting; i++) {
                java.nio.channels.SocketChannel client = java.nio.channels.SocketChannel.open(StandardProtocolFamily.UNIX);
                clients.add(client);
                client.connect(UnixDomainSocketAddress.of(socketOf(address))); // completes in the backlog
            }
            server[0].read();
            Integer before = refusedBeforeTheTask.poll(30, TimeUnit.SECONDS);
            assertNotNull(before, "the loop never ran the task");
            assertTrue(before < waiting, before + " of " + waiting + " waiting clients were refused before the loop ran a task");
        } finally {
            for (java.nio.channels.SocketChannel client : clients) {
                client.close();
            }
            server[0].close().sync();
        }
    }

    private static void refusedByAdmission(Admission admission) throws Exception {
        NettyPipeAddress address = UnixPipeTestPermutation.newAddress();
        AtomicInteger children = new AtomicInteger();
        List<PeerIdentity> asked = new CopyOnWriteArrayList<>();
        Channel server = server().option(PipeChannelOption.ADMISSION, client -> {
            asked.add(client);
            return admission.admits(client);
        }).childHandler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                children.incrementAndGet();
            }
        }).bind(address).sync().channel();
        try {
            Channel client = client().connect(address).sync().channel(); // the kernel accepts; the server then closes it
            client.closeFuture().await(30, TimeUnit.SECONDS);
            assertFalse(client.isOpen(), "a refused client stayed connected");
            assertEquals(1, asked.size());
            assertEquals(PeerCredentials.currentUid(), asked.get(0).uid().getAsLong());
            assertEquals(0, children.get(), "a refused client got a child channel");
        } finally {
            server.close().sync();
        }
    }

    /**
     * A client of another uid is refused before the admission is asked and before a child exists,
     * checked with a real process of another user (a Python peer run as {@code nobody} through
     * setpriv, as pipe-server's UnixForeignPeerTest does). The owner-only directory and socket file
     * would stop it first; the test opens both to it, so that what it checks is the channel's own
     * refusal. Needs root to run a process as another user, which CI has.
     */
    @Test
    @org.junit.jupiter.api.condition.EnabledOnOs(org.junit.jupiter.api.condition.OS.LINUX)
    void aClientOfAnotherUidIsRefusedBeforeTheAdmissionAndBeforeAChildExists() throws Exception {
        assumeTrue(PeerCredentials.currentUid() == 0, "running a peer as another user needs root (CI runs as root)");
        NettyPipeAddress address = UnixPipeTestPermutation.newAddress();
        AtomicInteger children = new AtomicInteger();
        AtomicInteger asked = new AtomicInteger();
        Channel server = server().option(PipeChannelOption.ADMISSION, client -> asked.incrementAndGet() > 0)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        children.incrementAndGet();
                    }
                }).bind(address).sync().channel();
        Path socket = socketOf(address);
        Path folder = socket.getParent();
        Set<PosixFilePermission> folderWas = Files.getPosixFilePermissions(folder);
        try {
            Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx--x--x"));
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
            String peer = String.join("\n",
                    "import socket, sys",
                    "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)",
                    "s.settimeout(20)",
                    "s.connect(sys.argv[1])",
                    "try:",
                    "    s.sendall(b'hello')",
                    "    print('answer' if s.recv(64) else 'eof')",
                    "except (ConnectionResetError, BrokenPipeError):",
                    "    print('eof')",
                    "except socket.timeout:",
                    "    print('timeout')");
            Path out = Files.createTempFile("pipekit-netty-foreign-peer", ".txt");
            try {
                Process process = new ProcessBuilder(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                        "/usr/bin/python3", "-c", peer, socket.toString())).redirectErrorStream(true).redirectOutput(out.toFile()).start();
                try {
                    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the peer did not finish");
                } finally {
                    process.destroyForcibly();
                }
                String said = Files.readString(out).strip();
                assertEquals(0, process.exitValue(), "the peer failed: " + said);
                assertEquals("eof", said, "the peer of uid nobody");
            } finally {
                Files.delete(out);
            }
            assertEquals(0, asked.get(), "the admission was asked about a client of another uid");
            assertEquals(0, children.get(), "a client of another uid got a child channel");
            Channel own = client().connect(address).sync().channel(); // and the server goes on
            assertTrue(own.isActive());
            own.close().sync();
        } finally {
            Files.setPosixFilePermissions(folder, folderWas);
            server.close().sync();
        }
    }

    @Test
    void aClientThatDoesNotTrustTheServerFailsItsConnectAndSendsNothing() throws Exception {
        NettyPipeAddress address = UnixPipeTestPermutation.newAddress();
        BlockingQueue<String> received = new ArrayBlockingQueue<>(4);
        CountDownLatch childClosed = new CountDownLatch(1);
        Channel server = server().childHandler(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                received.add(((ByteBuf) msg).toString(StandardCharsets.UTF_8));
                ((ByteBuf) msg).release();
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                childClosed.countDown();
            }
        }).bind(address).sync().channel();
        try {
            // "nobody" is not who runs this test (its server is this process), whoever that is, root too.
            ChannelFuture connect = client().option(PipeChannelOption.SERVER_TRUST, ServerTrust.user("nobody"))
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelActive(ChannelHandlerContext ctx) {
                            ctx.writeAndFlush(Unpooled.copiedBuffer("secret", StandardCharsets.UTF_8));
                        }
                    }).connect(address).await();
            UntrustedServerException untrusted = assertInstanceOf(UntrustedServerException.class, connect.cause());
            assertEquals(PeerCredentials.currentUid(), untrusted.server().uid().getAsLong());
            connect.channel().closeFuture().sync();
            assertTrue(childClosed.await(30, TimeUnit.SECONDS), "the server's child outlived the untrusting client");
            assertNull(received.poll(), "the client sent to a server it does not trust");
        } finally {
            server.close().sync();
        }
    }

    @Test
    void aWriteBeforeConnectFailsAndReleasesItsBuffer() throws Exception {
        Channel client = client().register().sync().channel();
        ByteBuf message = Unpooled.directBuffer().writeLong(7);
        Throwable failed = client.writeAndFlush(message).await().cause();
        assertInstanceOf(NotYetConnectedException.class, failed);
        assertEquals(0, message.refCnt());
        client.close().sync();
    }

    @Test
    void closingAnAcceptedChildForciblyEndsItsClient() throws Exception {
        // Netty's SocketCloseForciblyTest, without its cast to a TCP SocketChannel and its SO_LINGER.
        NettyPipeAddress address = UnixPipeTestPermutation.newAddress();
        Channel server = server().handler(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object child) {
                ((Channel) child).unsafe().closeForcibly();
            }
        }).childHandler(new ChannelInboundHandlerAdapter()).bind(address).sync().channel();
        try {
            Channel client = client().connect(address).sync().channel();
            assertTrue(client.closeFuture().await(30, TimeUnit.SECONDS), "the client never saw its connection end");
        } finally {
            server.close().sync();
        }
    }

    /**
     * A server's children and a client ask for 1 MiB socket buffers, as a named pipe's server
     * has 1 MiB pipe buffers: with the kernel's 208 KiB a gRPC stream waited for the socket before
     * it waited for HTTP/2's 1 MiB window (docs/netty.md, the options table). What the kernel makes of
     * a request (Linux doubles it, and caps it at {@code net.core.wmem_max}/{@code rmem_max}) is
     * read from a plain socket asked the same.
     */
    @Test
    void childrenAndClientsAsk1MiBSocketBuffersByDefault() throws Exception {
        NettyPipeAddress address = UnixPipeTestPermutation.newAddress();
        BlockingQueue<Channel> children = new ArrayBlockingQueue<>(1);
        Channel server = serverCollecting(children).bind(address).sync().channel();
        try {
            Channel client = client().connect(address).sync().channel();
            Channel child = children.poll(30, TimeUnit.SECONDS);
            assertNotNull(child);
            assertEquals(1024 * 1024, server.config().getOption(PipeChannelOption.OUT_BUFFER_SIZE));
            assertEquals(1024 * 1024, server.config().getOption(ChannelOption.SO_RCVBUF), "SO_RCVBUF is IN_BUFFER_SIZE, as on Windows");
            for (Channel channel : List.of(child, client)) {
                assertEquals(kernelsAnswer(StandardSocketOptions.SO_SNDBUF, 1024 * 1024), channel.config().getOption(ChannelOption.SO_SNDBUF), channel::toString);
                assertEquals(kernelsAnswer(StandardSocketOptions.SO_RCVBUF, 1024 * 1024), channel.config().getOption(ChannelOption.SO_RCVBUF), channel::toString);
            }
            client.close().sync();
        } finally {
            server.close().sync();
        }
    }

    /**
     * {@code IN_BUFFER_SIZE} and {@code OUT_BUFFER_SIZE} are the children's socket buffers, and
     * {@code SO_RCVBUF}/{@code SO_SNDBUF} on the server the same options; a child option still
     * has the last word, and a client sets its own.
     */
    @Test
    void inAndOutBufferSizesAreTheChildrensSocketBuffers() throws Exception {
        NettyPipeAddress address = UnixPipeTestPermutation.newAddress();
        BlockingQueue<Channel> children = new ArrayBlockingQueue<>(1);
        Channel server = serverCollecting(children).option(PipeChannelOption.IN_BUFFER_SIZE, 48 * 1024).option(ChannelOption.SO_SNDBUF, 96 * 1024)
                .childOption(ChannelOption.SO_RCVBUF, 24 * 1024).bind(address).sync().channel();
        try {
            Channel client = client().option(ChannelOption.SO_SNDBUF, 40 * 1024).connect(address).sync().channel();
            Channel child = children.poll(30, TimeUnit.SECONDS);
            assertNotNull(child);
            assertEquals(48 * 1024, server.config().getOption(ChannelOption.SO_RCVBUF));
            assertEquals(96 * 1024, server.config().getOption(PipeChannelOption.OUT_BUFFER_SIZE));
            assertEquals(kernelsAnswer(StandardSocketOptions.SO_RCVBUF, 24 * 1024), child.config().getOption(ChannelOption.SO_RCVBUF), "the child option");
            assertEquals(kernelsAnswer(StandardSocketOptions.SO_SNDBUF, 96 * 1024), child.config().getOption(ChannelOption.SO_SNDBUF));
            assertEquals(kernelsAnswer(StandardSocketOptions.SO_SNDBUF, 40 * 1024), client.config().getOption(ChannelOption.SO_SNDBUF));
            assertEquals(kernelsAnswer(StandardSocketOptions.SO_RCVBUF, 1024 * 1024), client.config().getOption(ChannelOption.SO_RCVBUF),
                    "the client's other buffer keeps its default");
            assertThrows(IllegalArgumentException.class, () -> server.config().setOption(PipeChannelOption.OUT_BUFFER_SIZE, 0));
            client.close().sync();
        } finally {
            server.close().sync();
        }
    }

    /** What the kernel sets a Unix socket's buffer to when asked for {@code size}. */
    private static int kernelsAnswer(SocketOption<Integer> option, int size) throws Exception {
        try (SocketChannel plain = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            plain.setOption(option, size);
            return plain.getOption(option);
        }
    }

    @Test
    void optionsGrpcAndPortableCodeSetAreAcceptedAndTheWindowsOnesIgnored() throws Exception {
        NettyPipeAddress address = UnixPipeTestPermutation.newAddress();
        BlockingQueue<Channel> children = new ArrayBlockingQueue<>(1);
        Channel server = serverCollecting(children)
                .option(PipeChannelOption.SECURITY_DESCRIPTOR, "D:P(A;;GA;;;WD)") // everyone, on Windows: ignored here
                .option(PipeChannelOption.LISTENING_INSTANCES, 1)
                .option(ChannelOption.SO_BACKLOG, 16)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .bind(address).sync().channel();
        try {
            assertEquals(16, server.config().getOption(ChannelOption.SO_BACKLOG));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socketOf(address))),
                    "an SDDL widened the socket on Unix");
            Channel client = client().option(ChannelOption.SO_KEEPALIVE, true).option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .connect(address).sync().channel();
            Channel child = children.poll(30, TimeUnit.SECONDS);
            assertNotNull(child);
            assertTrue(child.config().getOption(ChannelOption.SO_KEEPALIVE));
            assertTrue(child.config().getOption(ChannelOption.TCP_NODELAY));
            assertTrue(client.config().getOption(ChannelOption.ALLOW_HALF_CLOSURE));
            assertFalse(child.config().getOption(ChannelOption.ALLOW_HALF_CLOSURE));
            // A second client with LISTENING_INSTANCES 1 still gets in: a socket has a backlog, not instances (docs/netty.md).
            Channel second = client().connect(address).sync().channel();
            assertTrue(second.isActive());
            second.close().sync();
            client.close().sync();
        } finally {
            server.close().sync();
        }
    }
}
