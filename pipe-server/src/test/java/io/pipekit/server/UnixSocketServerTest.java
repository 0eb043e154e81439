package io.pipekit.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.client.PipeClient;
import io.pipekit.core.PipeName;
import io.pipekit.core.Transport;
import io.pipekit.core.unix.SocketPaths;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * What only the Unix-domain-socket transport does: frames from a raw socket that break the
 * protocol, where sockets live and with which permissions, and stale sockets.
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class UnixSocketServerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final String name = "pipekit-unix-test-" + UUID.randomUUID();
    private PipeServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    private void startEchoServer(String pipeName, int maxMessageSize) throws Exception {
        server = PipeServer.builder(pipeName).transport(Transport.UNIX_DOMAIN_SOCKETS).maxMessageSize(maxMessageSize)
                .handler((client, request) -> request).start();
    }

    private SocketChannel rawClient() throws Exception {
        SocketChannel raw = SocketChannel.open(StandardProtocolFamily.UNIX);
        raw.connect(UnixDomainSocketAddress.of(SocketPaths.forName(PipeName.of(name))));
        return raw;
    }

    /** Blocks until the server closes the raw connection; fails if it sends anything instead. */
    private static void assertClosedByServer(SocketChannel raw) {
        assertTimeoutPreemptively(TIMEOUT, () -> assertEquals(-1, raw.read(ByteBuffer.allocate(64)), "expected end of stream"));
    }

    private void assertOthersStillServed() throws Exception {
        try (PipeClient other = PipeClient.builder(name).transport(Transport.UNIX_DOMAIN_SOCKETS).connect()) {
            assertArrayEquals("still served".getBytes(UTF_8), other.transact("still served".getBytes(UTF_8)));
        }
        assertTrue(server.isRunning());
    }

    /**
     * A push costs the heap no more than the future it returns, not a node, wrapper and task per
     * message: measured on the pushing thread and the server thread together, with one message
     * array sent again and again. (The Windows path adds JNA's per-call boxing; bench/run.sh
     * measures both.)
     */
    @Test
    void pushingAllocatesLessThanTheMessageItself() throws Exception {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long[] serverThread = new long[1];
        server = PipeServer.builder(name).transport(Transport.UNIX_DOMAIN_SOCKETS).connectionHandler(new ConnectionHandler() {
            @Override
            public void connected(Connection connection) {
                serverThread[0] = Thread.currentThread().getId();
            }

            @Override
            public void messageReceived(Connection connection, byte[] message) {
            }
        }).start();
        int warmUp = 20_000;
        int pushes = 20_000;
        byte[] message = new byte[64];
        try (PipeClient client = PipeClient.builder(name).transport(Transport.UNIX_DOMAIN_SOCKETS).connect()) {
            Connection connection = ServerConnections.await(server, 1, TIMEOUT).get(0);
            // Every push must arrive, whole: the reader counts them, and what stops it is kept for the assertions.
            java.util.concurrent.atomic.AtomicInteger delivered = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicReference<Throwable> readerFailure = new java.util.concurrent.atomic.AtomicReference<>();
            Thread reader = new Thread(() -> {
                try {
                    for (int i = 0; i < warmUp + pushes; i++) {
                        byte[] received = client.receive(TIMEOUT);
                        if (!java.util.Arrays.equals(message, received)) {
                            throw new AssertionError("push " + i + " arrived as " + received.length + " different bytes");
                        }
                        delivered.incrementAndGet();
                    }
                } catch (Throwable t) {
                    readerFailure.set(t);
                }
            });
            reader.start();
            java.util.concurrent.CompletableFuture<?>[] window = new java.util.concurrent.CompletableFuture<?>[16];
            long pusher = Thread.currentThread().getId();
            long before = 0;
            for (int i = 0; i < warmUp + pushes; i++) {
                if (i == warmUp) {
                    before = threads.getThreadAllocatedBytes(pusher) + threads.getThreadAllocatedBytes(serverThread[0]);
                }
                java.util.concurrent.CompletableFuture<?> previous = window[i % window.length];
                while (previous != null && !previous.isDone()) {
                    java.util.concurrent.locks.LockSupport.parkNanos(20_000); // waits without allocating
                }
                window[i % window.length] = connection.send(message).toCompletableFuture();
            }
            long perPush = (threads.getThreadAllocatedBytes(pusher) + threads.getThreadAllocatedBytes(serverThread[0]) - before) / pushes;
            for (java.util.concurrent.CompletableFuture<?> last : window) {
                last.get(TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS); // a failed push throws here
            }
            reader.join(TIMEOUT.toMillis());
            assertTrue(!reader.isAlive(), "the reader still waits for pushes after " + TIMEOUT);
            assertNull(readerFailure.get(), () -> "the reader failed after " + delivered.get() + " pushes: " + readerFailure.get());
            assertEquals(warmUp + pushes, delivered.get(), "pushes delivered");
            assertTrue(perPush < 16 + message.length, "heap per push " + perPush + " B, more than the 80-byte message array itself");
        }
    }

    @Test
    void garbageBytesCostTheirSenderTheConnectionAndNothingElse() throws Exception {
        startEchoServer(name, 1024 * 1024);
        try (SocketChannel raw = rawClient()) {
            raw.write(ByteBuffer.wrap("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(UTF_8)));
            assertClosedByServer(raw);
        }
        assertOthersStillServed();
    }

    @Test
    void oversizedLengthIsRefusedBeforeAnyBodyArrives() throws Exception {
        startEchoServer(name, 1024);
        try (SocketChannel raw = rawClient()) {
            raw.write(ByteBuffer.allocate(4).putInt(0, 1025));
            assertClosedByServer(raw);
        }
        assertOthersStillServed();
    }

    @Test
    void truncatedFrameEndsOnlyItsOwnConnection() throws Exception {
        startEchoServer(name, 1024);
        try (SocketChannel raw = rawClient()) {
            ByteBuffer half = ByteBuffer.allocate(14).putInt(100).put(new byte[10]).flip();
            raw.write(half);
            raw.shutdownOutput(); // the client leaves with 90 bytes of its frame unsent
            assertClosedByServer(raw);
        }
        assertOthersStillServed();
    }

    @Test
    void framesArrivingTogetherAreAnsweredOneByOne() throws Exception {
        startEchoServer(name, 1024);
        try (SocketChannel raw = rawClient()) {
            ByteBuffer two = ByteBuffer.allocate(4 + 3 + 4 + 2).putInt(3).put("one".getBytes(UTF_8)).putInt(2).put("hi".getBytes(UTF_8)).flip();
            raw.write(two);
            ByteBuffer answers = ByteBuffer.allocate(13);
            assertTimeoutPreemptively(TIMEOUT, () -> {
                while (answers.hasRemaining()) {
                    raw.read(answers);
                }
            });
            assertArrayEquals(two.array(), answers.array());
        }
    }

    @Test
    void socketLivesInAnOwnerOnlyDirectoryAndIsOwnerOnlyItself() throws Exception {
        startEchoServer(name, 1024);
        Path socket = SocketPaths.forName(PipeName.of(name));

        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
        server.close();
        assertTrue(Files.notExists(socket), "the server removes its socket when it closes");
    }

    @Test
    void staleSocketLeftByACrashedServerIsReplaced() throws Exception {
        Path socket = SocketPaths.forName(PipeName.of(name));
        try (ServerSocketChannel crashed = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            crashed.bind(UnixDomainSocketAddress.of(socket)); // closing leaves the file, as a crash would
        }
        assertTrue(Files.exists(socket));

        startEchoServer(name, 1024);

        assertOthersStillServed();
    }

    @Test
    void absoluteSocketPathIsUsedAsGiven(@TempDir Path dir) throws Exception {
        String path = dir.resolve("app.sock").toString();
        startEchoServer(path, 1024);

        assertTrue(Files.exists(Path.of(path)));
        try (PipeClient client = PipeClient.builder(path).transport(Transport.UNIX_DOMAIN_SOCKETS).connect()) {
            assertArrayEquals(new byte[] {1, 2}, client.transact(new byte[] {1, 2}));
        }
    }

    @Test
    void readOnlyClientReceivesButMayNotSend() throws Exception {
        startEchoServer(name, 1024);
        try (PipeClient client = PipeClient.builder(name).transport(Transport.UNIX_DOMAIN_SOCKETS).readOnly().connect()) {
            io.pipekit.core.PipeException e = org.junit.jupiter.api.Assertions.assertThrows(io.pipekit.core.PipeException.class,
                    () -> client.send(new byte[] {1}));
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
        }
    }
}
