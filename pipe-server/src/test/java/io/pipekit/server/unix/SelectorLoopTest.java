package io.pipekit.server.unix;

import io.pipekit.server.EchoListener;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.client.PipeClient;
import io.pipekit.core.PipeBusyException;
import io.pipekit.core.PipeException;
import io.pipekit.core.PipeName;
import io.pipekit.core.PipeType;
import io.pipekit.core.Transport;
import io.pipekit.core.unix.AsideSocket;
import io.pipekit.core.unix.SocketPin;
import io.pipekit.core.transport.ServerConfig;
import io.pipekit.core.transport.ServerConnection;
import io.pipekit.core.transport.ServerLoop;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the Unix loop does at its instance limit and when opening fails part-way: listening
 * again after a failure, what it leaves at the socket path, and the lock it must not keep.
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class SelectorLoopTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final List<SelectorLoop> loops = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final List<String> warnings = new CopyOnWriteArrayList<>();
    private final Logger logger = Logger.getLogger("io.pipekit.server");
    private final Handler recorder = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
                errors.add(record.getMessage() + (record.getThrown() == null ? "" : " / " + record.getThrown()));
            } else if (record.getLevel().equals(Level.WARNING)) {
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
    @TempDir
    Path dir;

    @BeforeEach
    void record() {
        logger.addHandler(recorder);
    }

    @AfterEach
    void stopEverything() throws Exception {
        logger.removeHandler(recorder);
        for (SelectorLoop loop : loops) {
            loop.stop();
        }
        for (Thread thread : threads) {
            thread.join(TIMEOUT.toMillis());
            assertFalse(thread.isAlive(), "a loop did not stop");
        }
    }

    private static ServerConfig config(Path socket, int maxInstances) {
        return new ServerConfig(PipeName.of(socket.toString()), maxInstances, 1, 4096, 4096, Duration.ofSeconds(5), null, 1 << 20,
                PipeType.MESSAGE);
    }

    static ServerConnection.Listener echo(ServerConnection connection) {
        return EchoListener.on(connection);
    }

    /** Opens {@code loop} on this thread (so its failure is the caller's), then runs it on another. */
    private void openAndRun(SelectorLoop loop) throws PipeException {
        loop.open();
        loops.add(loop);
        CompletableFuture<Void> ended = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                loop.run();
                ended.complete(null);
            } catch (Throwable e) {
                ended.completeExceptionally(e);
            }
        }, "selector loop under test");
        threads.add(thread);
        thread.start();
    }

    private static PipeClient client(Path socket, Duration connectTimeout) throws PipeException {
        return PipeClient.builder(socket.toString()).transport(Transport.UNIX_DOMAIN_SOCKETS).connectTimeout(connectTimeout)
                .receiveTimeout(Duration.ofSeconds(10)).connect();
    }

    private static void await(BooleanSupplier state, String what) throws InterruptedException {
        long giveUp = System.nanoTime() + TIMEOUT.toNanos();
        while (!state.getAsBoolean()) {
            assertTrue(System.nanoTime() - giveUp < 0, "still not " + what + " after " + TIMEOUT);
            Thread.sleep(5);
        }
    }

    private boolean logged(String... parts) {
        return errors.stream().anyMatch(message -> java.util.Arrays.stream(parts).allMatch(message::contains));
    }

    /**
     * Review of issue 24's hardening: a re-listen that failed after its channel was opened left
     * that channel in {@code server}, bound but never registered, and was never tried again: no
     * new client was ever served. A full server now keeps its listener and binds a new one only
     * if someone removed the socket it moved aside; a failure there leaves nothing behind and is
     * retried.
     */
    @Test
    void failedRelistenLeavesNoHalfOpenListenerAndIsRetried() throws Exception {
        Path socket = dir.resolve("relisten.sock");
        AtomicInteger setups = new AtomicInteger();
        openAndRun(new SelectorLoop(config(socket, 1), SelectorLoopTest::echo, path -> {
            if (setups.incrementAndGet() == 2) { // the first re-listen, after the bind
                throw new IOException("injected: securing the socket file failed");
            }
            java.nio.file.Files.setPosixFilePermissions(path, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        }));
        try (PipeClient first = client(socket, TIMEOUT)) {
            assertArrayEquals("first".getBytes(UTF_8), first.transact("first".getBytes(UTF_8)));
            await(() -> Files.notExists(socket), "stopped listening at the limit");
            Files.delete(AsideSocket.of(socket)); // the listener's only name left: it can never be reached again
        }
        await(() -> logged("again failed", "injected"), "logged the failed re-listen");

        try (PipeClient next = client(socket, TIMEOUT)) {
            assertArrayEquals("next".getBytes(UTF_8), next.transact("next".getBytes(UTF_8)),
                    "no client served after a failed re-listen");
        }
        assertTrue(setups.get() >= 3, "re-listened " + (setups.get() - 1) + " times");
    }

    /**
     * A client that found the socket file just before the server filled up, and connects a moment
     * after (through its own link to the file: {@link SocketPin}, as pipe-netty's client connects),
     * was refused: the full server had closed its listener. Now the listener stays open while
     * full: the client waits in its backlog, and is served once an instance is free.
     */
    @Test
    void aClientThatFoundTheSocketJustBeforeTheServerFilledUpWaitsAndIsServed() throws Exception {
        Path socket = dir.resolve("race.sock");
        openAndRun(new SelectorLoop(config(socket, 1), SelectorLoopTest::echo));

        assertEquals("late", lateClientsAnswer(socket, () -> { }, () -> { }), "the client that waited was not served");
    }

    /**
     * Putting the socket file back can fail (something else took the path meanwhile): a client that
     * reached the full server's listener through its own link is served all the same, as soon as an
     * instance is free, and the file at the path is left alone.
     */
    @Test
    void aClientThatReachedTheFullServerIsServedEvenWhileItsPathCannotBeRestored() throws Exception {
        Path socket = dir.resolve("restore.sock");
        openAndRun(new SelectorLoop(config(socket, 1), SelectorLoopTest::echo));

        assertEquals("late", lateClientsAnswer(socket, () -> Files.writeString(socket, "precious"), () -> { }),
                "the client that reached the listener was not served");
        await(() -> logged("again failed", "is not a socket"), "logged the refused re-listen");
        assertEquals("precious", Files.readString(socket));
    }

    /**
     * Someone removes the name the full server's listener had left: it listens on a new socket, and
     * the clients that reached the old one through a link of their own are served, not reset.
     */
    @Test
    void aClientInTheBacklogOfAListenerWhoseAsideNameWasRemovedIsServedNotReset() throws Exception {
        Path socket = dir.resolve("removed.sock");
        openAndRun(new SelectorLoop(config(socket, 1), SelectorLoopTest::echo));

        assertEquals("late", lateClientsAnswer(socket, () -> Files.delete(AsideSocket.of(socket)), () -> {
            await(() -> Files.notExists(socket) && Files.exists(AsideSocket.of(socket)), "full again, with the new listener aside");
            assertThrows(PipeBusyException.class, () -> client(socket, Duration.ofMillis(200)), "a full server not told busy");
        }));
        try (PipeClient next = client(socket, TIMEOUT)) {
            assertArrayEquals("next".getBytes(UTF_8), next.transact("next".getBytes(UTF_8)), "the new listener serves no one");
        }
    }

    /**
     * A server that cannot move its socket aside (something is in the way at the aside name) keeps
     * its limit: clients then wait in the backlog, connected, and are served one by one as
     * instances free. They stay in the kernel's backlog meanwhile: the server takes in only what a
     * full server whose file is aside takes in (else it would hold the whole listen queue in its
     * own list, at every release). And it says once, not at every client, that the move failed.
     */
    @Test
    void aServerThatCannotMoveItsSocketAsideServesItsBacklogInTurnAndSaysSoOnce() throws Exception {
        Path socket = dir.resolve("blocked.sock");
        Files.createDirectories(AsideSocket.of(socket).resolve("in-the-way")); // no delete removes it
        SelectorLoop loop = new SelectorLoop(config(socket, 1), SelectorLoopTest::echo);
        openAndRun(loop);
        List<PipeClient> clients = new ArrayList<>();
        try {
            clients.add(client(socket, TIMEOUT));
            assertArrayEquals("0".getBytes(UTF_8), clients.get(0).transact("0".getBytes(UTF_8)));
            for (int i = 1; i <= 3; i++) {
                clients.add(client(socket, TIMEOUT)); // into the backlog: the file stayed at its path
            }
            CompletableFuture<byte[]> next = answerTo(clients.get(1), "1");
            assertThrows(java.util.concurrent.TimeoutException.class, () -> next.get(300, java.util.concurrent.TimeUnit.MILLISECONDS),
                    "served beyond maxInstances 1");
            for (int turn = 1; turn <= 3; turn++) {
                clients.get(turn - 1).close();
                CompletableFuture<byte[]> answer = turn == 1 ? next : answerTo(clients.get(turn), Integer.toString(turn));
                assertArrayEquals(Integer.toString(turn).getBytes(UTF_8), answer.get(TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
                assertEquals(0, waitingOn(loop), "clients taken out of the backlog while the file could not move aside");
            }
            assertEquals(1, warnings.stream().filter(w -> w.contains("aside at maxInstances failed")).count(),
                    () -> "the failed move was not said exactly once: " + warnings);
        } finally {
            for (PipeClient client : clients) {
                client.close();
            }
        }
    }

    private static CompletableFuture<byte[]> answerTo(PipeClient client, String request) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return client.transact(request.getBytes(UTF_8));
            } catch (PipeException e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
    }

    /** How many accepted clients {@code loop} holds waiting for an instance, asked on its thread. */
    private static int waitingOn(SelectorLoop loop) throws Exception {
        CompletableFuture<Integer> count = new CompletableFuture<>();
        assertTrue(loop.execute(() -> count.complete(loop.waitingClients())), "the loop took no task");
        return count.get(TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    }

    /** Something done while the server is full. */
    private interface WhileFull {
        void run() throws Exception;
    }

    /**
     * A client that found the socket file just before the server filled up (it links the file
     * then) connects once a first client has filled it, and sends "late"; then {@code whileFull}
     * runs and the first client leaves. Returns the answer the late client gets, once
     * {@code whileServed} has run with the late client still connected.
     */
    private String lateClientsAnswer(Path socket, WhileFull whileFull, WhileFull whileServed) throws Exception {
        Path pin = SocketPin.pin(socket);
        try (SocketChannel late = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            try (PipeClient first = client(socket, TIMEOUT)) {
                assertArrayEquals("first".getBytes(UTF_8), first.transact("first".getBytes(UTF_8)));
                await(() -> Files.notExists(socket), "stopped listening at the limit");
                assertTrue(late.connect(UnixDomainSocketAddress.of(pin)), "refused by a full server");
                SocketPin.unpin(pin, socket);
                late.write(frame("late"));
                whileFull.run();
            }
            String answer = assertTimeoutPreemptively(TIMEOUT, () -> readFrame(late));
            whileServed.run();
            return answer;
        }
    }

    private static ByteBuffer frame(String message) {
        byte[] bytes = message.getBytes(UTF_8);
        return ByteBuffer.allocate(4 + bytes.length).putInt(bytes.length).put(bytes).flip();
    }

    /** One pipekit frame (a 4-byte big-endian length, then the message), read blocking. */
    private static String readFrame(SocketChannel channel) throws IOException {
        ByteBuffer length = ByteBuffer.allocate(4);
        readFully(channel, length);
        ByteBuffer body = ByteBuffer.allocate(length.flip().getInt());
        readFully(channel, body);
        return new String(body.array(), UTF_8);
    }

    private static void readFully(SocketChannel channel, ByteBuffer into) throws IOException {
        while (into.hasRemaining()) {
            if (channel.read(into) < 0) {
                throw new java.io.EOFException("the server closed the connection");
            }
        }
    }

    /**
     * Review of issue 24's hardening: while at its limit the server's socket path is free, and
     * whatever someone puts there was deleted when the server listened again. Now only a stale
     * socket is replaced; anything else is refused, logged, and tried again until it is gone.
     */
    @Test
    void fileAppearingAtTheSocketPathWhileAtTheLimitIsNeverDeleted() throws Exception {
        Path socket = dir.resolve("limit.sock");
        openAndRun(new SelectorLoop(config(socket, 1), SelectorLoopTest::echo));
        try (PipeClient first = client(socket, TIMEOUT)) {
            assertArrayEquals("first".getBytes(UTF_8), first.transact("first".getBytes(UTF_8)));
            await(() -> Files.notExists(socket), "stopped listening at the limit");
            Files.writeString(socket, "precious");
        }
        await(() -> logged("again failed", "is not a socket"), "logged the refused re-listen");
        assertEquals("precious", Files.readString(socket), "the file at the socket path was replaced");
        int failures = errors.size();
        await(() -> errors.size() > failures, "tried again");
        assertEquals("precious", Files.readString(socket), "the file at the socket path was replaced on a retry");

        Files.delete(socket);
        try (PipeClient next = client(socket, TIMEOUT)) {
            assertArrayEquals("next".getBytes(UTF_8), next.transact("next".getBytes(UTF_8)));
        }
    }

    /**
     * Review of issue 24's hardening: open() released the socket's lock on an IOException only;
     * an unchecked failure after the lock was taken kept the name claimed until the JVM exited.
     */
    @Test
    void uncheckedFailureWhileOpeningReleasesTheName() throws Exception {
        Path socket = dir.resolve("open.sock");
        IllegalStateException injected = new IllegalStateException("injected: unchecked failure after the lock");
        SelectorLoop failing = new SelectorLoop(config(socket, ServerConfig.UNLIMITED_INSTANCES), SelectorLoopTest::echo, path -> {
            throw injected;
        });

        assertSame(injected, assertThrows(IllegalStateException.class, failing::open));
        assertTrue(Files.notExists(socket), "the failed open left its socket file");

        openAndRun(new SelectorLoop(config(socket, ServerConfig.UNLIMITED_INSTANCES), SelectorLoopTest::echo));
        try (PipeClient client = client(socket, TIMEOUT)) {
            assertArrayEquals("served".getBytes(UTF_8), client.transact("served".getBytes(UTF_8)));
        }
    }

    /** {@link SelectorLoop#timeoutMillis}, asked on the loop's thread, where it is kept. */
    private static long selectTimeout(SelectorLoop loop) throws Exception {
        CompletableFuture<Long> timeout = new CompletableFuture<>();
        assertTrue(loop.execute(() -> timeout.complete(loop.timeoutMillis())), "the loop refused the task");
        return timeout.get(TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    }

    /**
     * The loop watches a half-closed connection for its client's close with a bounded select,
     * and only while it has one: before it, and once that client has closed and its connection
     * has ended, select waits without a limit again (a loop with no such connection never wakes
     * for nothing).
     */
    @Test
    @EnabledOnOs(value = OS.LINUX, disabledReason = "only Linux tells a half-close from a close; elsewhere none is kept")
    void selectIsBoundedOnlyWhileAConnectionIsHalfClosed() throws Exception {
        Path socket = dir.resolve("halfclosed.sock");
        CompletableFuture<Void> inputEnded = new CompletableFuture<>();
        CompletableFuture<PipeException> closed = new CompletableFuture<>();
        SelectorLoop loop = new SelectorLoop(new ServerConfig(PipeName.of(socket.toString()), 1, 1, 4096, 4096,
                Duration.ofSeconds(5), null, 1 << 20, PipeType.BYTE), connection -> {
                    connection.read();
                    return new ServerConnection.Listener() {
                        @Override
                        public void messageRead(byte[] message) {
                            connection.read();
                        }

                        @Override
                        public void messageWritten() {
                        }

                        @Override
                        public void closed(PipeException cause) {
                            closed.complete(cause);
                        }

                        @Override
                        public boolean inputEnded() {
                            inputEnded.complete(null);
                            return true; // stays open for an answer, as a stream handler's does
                        }
                    };
                });
        openAndRun(loop);
        assertEquals(-1, selectTimeout(loop), "select is bounded with no half-closed connection");
        try (java.nio.channels.SocketChannel raw = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            raw.connect(java.net.UnixDomainSocketAddress.of(socket));
            raw.shutdownOutput();
            inputEnded.get(TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            long watching = selectTimeout(loop);
            assertTrue(watching > 0, "select waits without a limit while a connection is half-closed: " + watching);
            assertFalse(closed.isDone(), "a half-close alone ended the connection");
        }
        assertEquals(null, closed.get(TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS),
                "the client that closed after half-closing is not a failure");
        assertEquals(-1, selectTimeout(loop), "select stays bounded after the half-closed connection ended");
    }
}
