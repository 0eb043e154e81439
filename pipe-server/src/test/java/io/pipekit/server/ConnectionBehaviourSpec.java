package io.pipekit.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.client.PipeClient;
import io.pipekit.core.MessageCodecs;
import io.pipekit.core.SendQueueFullException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Connections you drive ({@link ConnectionHandler}): server push, full duplex, the bound on what
 * waits to be written. Part of the shared specification: each transport's subclass runs it.
 */
abstract class ConnectionBehaviourSpec extends PipeBehaviourSpec {

    /**
     * Found by the chaos suite: a client that connects and leaves at once can be gone before the
     * server's first read, which Windows then refuses on the spot. That end came before the
     * connection had its listener, so the handler never heard of it, and the connection stayed in
     * {@link PipeServer#connections()} for the server's whole life (274 of 300 under Wine).
     */
    @Test
    void everyConnectionEndsHeardEvenWhenItsClientLeftBeforeTheFirstRead() throws Exception {
        AtomicInteger connected = new AtomicInteger();
        AtomicInteger closed = new AtomicInteger();
        PipeServer server = builder().connectionHandler(new ConnectionHandler() {
            @Override
            public void connected(Connection connection) {
                connected.incrementAndGet();
            }

            @Override
            public void messageReceived(Connection connection, byte[] message) {
                connection.send(message);
            }

            @Override
            public void closed(Connection connection, io.pipekit.core.PipeException cause) {
                closed.incrementAndGet();
            }
        }).start();
        closeLater(server);

        for (int i = 0; i < 200; i++) {
            clientBuilder().connectTimeout(TIMEOUT).connect().close();
        }
        // A last client's answer says the server has taken every connect before it: each of those
        // had completed before this one began, and the loop collects every completed connect at
        // once. Without it the count below could be read before the last connect was taken.
        try (PipeClient last = client()) {
            last.send("last".getBytes(UTF_8));
            assertEquals("last", new String(last.receive(TIMEOUT), UTF_8));
        }

        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while ((!server.connections().isEmpty() || closed.get() != connected.get()) && System.nanoTime() - deadline < 0) {
            Thread.sleep(20);
        }
        assertEquals(0, server.connections().size(), "connections still listed as open");
        assertEquals(connected.get(), closed.get(), "every connection the handler heard of, it heard end");
    }

    /**
     * Found by the soak: under Windows the loop forgot an ended instance by an address it no
     * longer had, and so kept every ended connection (and what its handler hung on it) for the
     * server's life. A connection that has ended must be left to the garbage collector.
     */
    @Test
    void aServerKeepsNothingOfTheConnectionsThatEnded() throws Exception {
        List<java.lang.ref.WeakReference<Connection>> ended = java.util.Collections.synchronizedList(new ArrayList<>());
        PipeServer server = builder().connectionHandler(new ConnectionHandler() {
            @Override
            public void messageReceived(Connection connection, byte[] message) {
                connection.send(message);
            }

            @Override
            public void closed(Connection connection, io.pipekit.core.PipeException cause) {
                ended.add(new java.lang.ref.WeakReference<>(connection));
            }
        }).start();
        closeLater(server);

        for (int i = 0; i < 50; i++) {
            try (PipeClient client = clientBuilder().connectTimeout(TIMEOUT).receiveTimeout(TIMEOUT).connect()) {
                client.transact(new byte[] {(byte) i});
            }
        }
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (ended.size() < 50 && System.nanoTime() - deadline < 0) {
            Thread.sleep(10);
        }
        assertEquals(50, ended.size(), "connections heard ending");

        long stillHeld = 50;
        for (int attempt = 0; attempt < 50 && stillHeld > 0; attempt++) {
            System.gc();
            Thread.sleep(20);
            synchronized (ended) {
                stillHeld = ended.stream().filter(ref -> ref.get() != null).count();
            }
        }
        assertEquals(0, stillHeld, "ended connections the running server still holds");
    }

    @Test
    void serverPushesToAClientThatAskedNothing() throws Exception {
        PipeServer server = builder().connectionHandler(new ConnectionHandler() {
            @Override
            public void connected(Connection connection) {
                connection.send("welcome".getBytes(UTF_8)); // from the server thread
            }

            @Override
            public void messageReceived(Connection connection, byte[] message) {
            }
        }).start();
        closeLater(server);
        PipeClient client = client();

        assertEquals("welcome", new String(client.receive(TIMEOUT), UTF_8));
        Connection connection = server.connections().get(0);
        connection.send("from another thread".getBytes(UTF_8)).toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertEquals("from another thread", new String(client.receive(TIMEOUT), UTF_8));
    }

    /**
     * What {@link PipeServer#connections()} documents (issue 25): a stream handler's connections are
     * listed while open, with the identity the handler sees, and leave the list once closed.
     */
    @Test
    void connectionsListsAStreamHandlersClientsWhileTheyAreConnected() throws Exception {
        CompletableFuture<Connection> served = new CompletableFuture<>();
        PipeServer server = builder().streamHandler((connection, in, out) -> {
            served.complete(connection);
            in.transferTo(out);
        }).start();
        closeLater(server);
        PipeClient client = clientBuilder().connectTimeout(TIMEOUT).connect();

        Connection listed = ServerConnections.await(server, 1, TIMEOUT).get(0);
        assertEquals(served.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).id(), listed.id());
        assertEquals(java.util.OptionalLong.of(ProcessHandle.current().pid()), listed.peer().processId());
        client.close();
        io.pipekit.testing.Await.until(TIMEOUT, () -> server.connections().isEmpty(), () -> "still listed after its client left: " + server.connections());
    }

    /**
     * And a server that answers requests lists none: its clients are driven by their requests,
     * with no {@link Connection} to hand out (issue 25: this was silent).
     */
    @Test
    void connectionsIsEmptyForAServerThatAnswersRequests() throws Exception {
        PipeServer server = builder().handler((client, request) -> request).start();
        closeLater(server);
        PipeClient client = client();

        assertArrayEquals(new byte[] {1}, client.transact(new byte[] {1})); // connected and served
        assertEquals(List.of(), server.connections());
    }

    /** Connection.send(codec, value) sends the codec's encoding of the value as one message. */
    @Test
    void sendWithACodecSendsTheEncodedValue() throws Exception {
        PipeServer server = builder().connectionHandler(new ConnectionHandler() {
            @Override
            public void connected(Connection connection) {
                connection.send(MessageCodecs.utf8(), "welcome, encoded");
            }

            @Override
            public void messageReceived(Connection connection, byte[] message) {
                connection.send(MessageCodecs.utf8(), "heard " + MessageCodecs.utf8().decode(message));
            }
        }).start();
        closeLater(server);
        PipeClient client = client();

        assertEquals("welcome, encoded", client.receive(MessageCodecs.utf8()));
        assertEquals("heard hi", client.transact(MessageCodecs.utf8(), "hi"));
    }

    /**
     * The loop thread sends from its own callbacks without waking itself (no APC, no selector
     * wake-up): what it gives itself must still go out before it waits again, or this chain would
     * stall after its first message with nothing left to wake the loop.
     */
    @Test
    void aHandlerPushesAChainOfMessagesFromTheServerThreadAlone() throws Exception {
        int count = 200;
        List<String> threads = java.util.Collections.synchronizedList(new ArrayList<>());
        PipeServer server = builder().connectionHandler(new ConnectionHandler() {
            @Override
            public void connected(Connection connection) {
                sendFrom(connection, 0);
            }

            private void sendFrom(Connection connection, int i) {
                threads.add(Thread.currentThread().getName());
                if (i < count) {
                    connection.send(ByteBuffer.allocate(4).putInt(i).array())
                            .whenComplete((ok, failure) -> sendFrom(connection, i + 1)); // the next once this one is written
                }
            }

            @Override
            public void messageReceived(Connection connection, byte[] message) {
            }
        }).start();
        closeLater(server);
        PipeClient client = client();

        for (int i = 0; i < count; i++) {
            assertEquals(i, ByteBuffer.wrap(client.receive(TIMEOUT)).getInt());
        }
        assertEquals(List.of("pipekit-server " + server.name().name()), List.copyOf(threads).stream().distinct().toList(),
                "every send of the chain came from the server thread");
    }

    @Test
    void pushAndRequestsCrossInBothDirectionsAtOnceInOrder() throws Exception {
        int count = duplexMessages();
        AtomicInteger nextFromClient = new AtomicInteger();
        AtomicReference<String> serverSawDisorder = new AtomicReference<>();
        PipeServer server = builder().connectionHandler(new ConnectionHandler() {
            @Override
            public void messageReceived(Connection connection, byte[] message) {
                int expected = nextFromClient.getAndIncrement();
                if (ByteBuffer.wrap(message).getInt() != expected && serverSawDisorder.get() == null) {
                    serverSawDisorder.set("expected message " + expected + ", got " + ByteBuffer.wrap(message).getInt());
                }
            }
        }).start();
        closeLater(server);
        PipeClient client = client();
        Connection connection = awaitOneConnection(server);
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try {
            // The server pushes while the client sends: both directions' pipes fill up at times.
            Future<?> pusher = threads.submit(() -> pushNumbered(connection, count));
            Future<?> sender = threads.submit(() -> {
                for (int i = 0; i < count; i++) {
                    client.send(numbered(i));
                }
                return null;
            });
            Future<?> receiver = threads.submit(() -> {
                for (int i = 0; i < count; i++) {
                    byte[] pushed = client.receive(TIMEOUT);
                    assertEquals(i, ByteBuffer.wrap(pushed).getInt(), "pushed messages arrive in order");
                    assertEquals(512, pushed.length);
                }
                return null;
            });
            pusher.get(2 * TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            sender.get(2 * TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            receiver.get(2 * TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } finally {
            threads.shutdownNow();
        }
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (nextFromClient.get() < count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(count, nextFromClient.get(), "every message the client sent reached the handler");
        assertEquals(null, serverSawDisorder.get());
    }

    @Test
    void pushesGoOutWhileTheClientNeverStopsSending() throws Exception {
        PipeServer server = builder().connectionHandler((connection, message) -> { }).start();
        closeLater(server);
        PipeClient client = client();
        Connection connection = awaitOneConnection(server);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        java.util.concurrent.atomic.AtomicBoolean receiving = new java.util.concurrent.atomic.AtomicBoolean(true);
        try {
            // The server's socket is readable all the time: its writes must still get their turn.
            Future<?> sender = threads.submit(() -> {
                while (receiving.get()) {
                    client.send(new byte[64]);
                }
                return null;
            });
            Future<?> pusher = threads.submit(() -> pushNumbered(connection, 2000));
            for (int i = 0; i < 2000; i++) {
                assertEquals(i, ByteBuffer.wrap(client.receive(TIMEOUT)).getInt(), "pushed messages arrive in order");
            }
            receiving.set(false);
            pusher.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            sender.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } finally {
            receiving.set(false);
            threads.shutdownNow();
        }
    }

    /** How many messages {@link #pushAndRequestsCrossInBothDirectionsAtOnceInOrder} sends each way. */
    int duplexMessages() {
        return 10_000;
    }

    @Test
    void aClientThatNeverReadsIsRefusedAtTheBoundAndOthersGoOn() throws Exception {
        PipeServer server = builder().maxQueuedBytes(64 * 1024)
                .connectionHandler((connection, message) -> connection.send(message)) // an echo, through the connection API
                .start();
        closeLater(server);
        PipeClient deaf = client();
        Connection toDeaf = awaitOneConnection(server);
        PipeClient attentive = client();

        // Push to the client that never reads until the bound says no.
        byte[] chunk = new byte[4096];
        SendQueueFullException refused = null;
        int accepted = 0;
        for (int i = 0; i < 10_000 && refused == null; i++) {
            CompletableFuture<Void> sent = toDeaf.send(chunk).toCompletableFuture();
            if (sent.isCompletedExceptionally()) {
                Throwable failure = assertThrowsFrom(sent);
                refused = assertInstanceOf(SendQueueFullException.class, failure);
            } else {
                accepted++;
            }
        }
        assertTrue(refused != null, "10,000 sends of 4 KiB to a client that never reads were all accepted");
        assertTrue(accepted * 4096L <= 64 * 1024 + 4096 + 4 * 1024 * 1024,
                "accepted " + accepted + " chunks: the bound plus what the pipe itself holds");

        for (int i = 0; i < 20; i++) {
            byte[] request = ("still served " + i).getBytes(UTF_8);
            attentive.send(request);
            assertArrayEquals(request, attentive.receive(TIMEOUT));
        }
        assertTrue(toDeaf.isOpen(), "refusing a send does not close the connection");
        deaf.close();
    }

    @Test
    void sendsStillWaitingWhenTheServerClosesFailAsClosedHere() throws Exception {
        PipeServer server = builder().connectionHandler((connection, message) -> { }).start();
        closeLater(server);
        PipeClient deaf = client(); // never reads: what the server sends stays in the pipe, then in the queue
        Connection connection = awaitOneConnection(server);
        List<CompletableFuture<Void>> sends = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            sends.add(connection.send(new byte[16 * 1024]).toCompletableFuture());
        }

        server.close();

        CompletableFuture<Void> last = sends.get(sends.size() - 1);
        assertTrue(last.isCompletedExceptionally(), "the last of 1 MiB of sends cannot have been written to a client that never reads");
        assertInstanceOf(io.pipekit.core.PipeClosedException.class, assertThrowsFrom(last));
        deaf.close();
    }

    private static Throwable assertThrowsFrom(CompletableFuture<Void> failed) {
        try {
            failed.join();
            throw new AssertionError("the send did not fail");
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    static Connection awaitOneConnection(PipeServer server) throws InterruptedException {
        return ServerConnections.await(server, 1, TIMEOUT).get(0);
    }

    static byte[] numbered(int i) {
        return ByteBuffer.allocate(512).putInt(i).array();
    }

    /** Pushes {@code count} numbered messages, at most 64 in flight: what a well-behaved pusher does. */
    static Void pushNumbered(Connection connection, int count) throws Exception {
        Semaphore inFlight = new Semaphore(64);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int i = 0; i < count && failure.get() == null; i++) {
            if (!inFlight.tryAcquire(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("a push did not complete within " + TIMEOUT);
            }
            connection.send(numbered(i)).whenComplete((ok, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                }
                inFlight.release();
            });
        }
        if (failure.get() != null) {
            throw new AssertionError("a push failed", failure.get());
        }
        return null;
    }
}
