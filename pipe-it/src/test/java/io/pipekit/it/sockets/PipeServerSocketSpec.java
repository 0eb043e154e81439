package io.pipekit.it.sockets;

import static io.pipekit.it.sockets.PipeSocketSpec.AT_ONCE;
import static io.pipekit.it.sockets.PipeSocketSpec.PATIENCE;
import static io.pipekit.it.sockets.PipeSocketSpec.readFully;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.client.PipeAddress;
import io.pipekit.client.PipeSocket;
import io.pipekit.client.PipeSocketFactory;
import io.pipekit.core.PeerClosedException;
import io.pipekit.core.PeerIdentity;
import io.pipekit.core.PipeInterruptedException;
import io.pipekit.core.PipeNameInUseException;
import io.pipekit.core.Transport;
import io.pipekit.server.Admission;
import io.pipekit.server.PipeServerSocket;
import io.pipekit.server.PipeServerSocketFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PipeServerSocket}'s contract, as {@code java.net.ServerSocket} states it (issue 26,
 * item 4): accept, its timeout and its close from another thread, bind, independent accepted
 * sockets, the pipe as the local address, and the identity of each client. Part of the shared
 * specification: each transport's subclass runs it.
 */
abstract class PipeServerSocketSpec {
    /** Blocking test work runs on threads of its own: the common pool has as few as the machine's cores minus one. */
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    private final List<AutoCloseable> toClose = new ArrayList<>();
    final String name = "pipekit-serversocket-" + UUID.randomUUID();

    abstract Transport transport();

    /**
     * Closes what the test made, then waits for the servers under its server sockets to end: a
     * server socket's server ends once its last accepted socket has closed, and none may be left
     * to the next test.
     */
    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        awaitServersEnded(name);
    }

    /** Waits until no server thread of a pipe whose name contains {@code name} is alive; fails after PATIENCE. */
    static void awaitServersEnded(String name) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (true) {
            List<Thread> serving = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("pipekit-server ") && t.getName().contains(name) && t.isAlive()).toList();
            if (serving.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the servers under the server sockets did not end: " + serving);
            }
            Thread.sleep(10); // polling: a thread's end is all that shows it
        }
    }

    <T extends AutoCloseable> T closeLater(T closeable) {
        toClose.add(closeable);
        return closeable;
    }

    PipeAddress address() {
        return PipeAddress.parse(name);
    }

    PipeServerSocket listen() throws IOException {
        return closeLater(new PipeServerSocket(address()));
    }

    Socket connect() throws IOException {
        return closeLater(PipeSocketFactory.of(address()).withConnectTimeout(PATIENCE).createSocket("localhost", 1099));
    }

    Socket accept(ServerSocket server) throws IOException {
        return closeLater(server.accept());
    }

    /** Serves {@code socket} on a thread of its own: echoes what it reads until the end of the stream. */
    CompletableFuture<Void> echo(Socket socket) {
        return CompletableFuture.runAsync(() -> {
            try (socket) {
                socket.getInputStream().transferTo(socket.getOutputStream());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, threads);
    }

    /** Runs {@code call} on a thread of its own and returns once that thread waits for a client. */
    static <T> CompletableFuture<T> waitingAccept(Callable<T> call) throws InterruptedException {
        CompletableFuture<T> outcome = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                outcome.complete(call.call());
            } catch (Throwable t) {
                outcome.completeExceptionally(t);
            }
        }, "accept");
        thread.setDaemon(true);
        thread.start();
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!waitsForAClient(thread) && !outcome.isDone()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("accept never waited: " + java.util.Arrays.toString(thread.getStackTrace()));
            }
            Thread.sleep(1); // polling for the state: a thread's stack is all that shows it
        }
        assertFalse(outcome.isDone(), () -> "accept returned by itself: " + outcome);
        return outcome;
    }

    private static boolean waitsForAClient(Thread thread) {
        Thread.State state = thread.getState();
        if (state != Thread.State.WAITING && state != Thread.State.TIMED_WAITING) {
            return false;
        }
        for (StackTraceElement frame : thread.getStackTrace()) {
            if (frame.getClassName().endsWith("SocketAcceptor") && frame.getMethodName().equals("next")) {
                return true;
            }
        }
        return false;
    }

    static Throwable failureOf(CompletableFuture<?> future) throws InterruptedException {
        try {
            future.get(AT_ONCE.toSeconds(), TimeUnit.SECONDS);
            throw new AssertionError("it did not fail");
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("it did not end at once", e);
        }
    }

    @Test
    void acceptWaitsForAClientAndReturnsItsConnectionAsAPipeSocket() throws Exception {
        PipeServerSocket server = listen();
        CompletableFuture<Socket> accepted = waitingAccept(server::accept);
        Socket client = connect();
        Socket served = closeLater(accepted.get(PATIENCE.toSeconds(), TimeUnit.SECONDS));
        assertInstanceOf(PipeSocket.class, served);
        assertTrue(served.isConnected());

        client.getOutputStream().write("ping".getBytes(UTF_8));
        assertEquals("ping", new String(readFully(served.getInputStream(), 4), UTF_8));
        served.getOutputStream().write("pong".getBytes(UTF_8));
        assertEquals("pong", new String(readFully(client.getInputStream(), 4), UTF_8));
    }

    @Test
    void soTimeoutBoundsAcceptWithSocketTimeoutExceptionAndLeavesItUsable() throws Exception {
        PipeServerSocket server = listen();
        server.setSoTimeout(50);
        assertEquals(50, server.getSoTimeout());
        assertThrows(SocketTimeoutException.class, server::accept);
        assertFalse(server.isClosed());

        Socket client = connect(); // waits, connected, for the next accept
        server.setSoTimeout((int) PATIENCE.toMillis());
        Socket served = accept(server);
        client.getOutputStream().write(7);
        assertEquals(7, served.getInputStream().read());
    }

    @Test
    void closeFromAnotherThreadEndsABlockedAcceptWithSocketException() throws Exception {
        PipeServerSocket server = listen();
        CompletableFuture<Socket> accepted = waitingAccept(server::accept);
        server.close();
        Throwable failure = failureOf(accepted);
        assertInstanceOf(SocketException.class, failure, () -> "accept ended with " + failure);
        assertTrue(server.isClosed());
        assertThrows(SocketException.class, server::accept);
        server.close(); // idempotent
    }

    @Test
    void anInterruptedAcceptClosesTheServerSocketAndKeepsTheFlag() throws Exception {
        PipeServerSocket server = listen();
        CompletableFuture<Boolean> flagKept = new CompletableFuture<>();
        CompletableFuture<Socket> accepted = waitingAccept(() -> {
            try {
                return server.accept();
            } finally {
                flagKept.complete(Thread.currentThread().isInterrupted());
            }
        });
        Thread acceptor = threadNamed("accept");
        acceptor.interrupt();
        assertInstanceOf(PipeInterruptedException.class, failureOf(accepted));
        assertTrue(flagKept.get());
        assertTrue(server.isClosed());
    }

    private static Thread threadNamed(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name) && t.isAlive())
                .filter(t -> waitsForAClient(t)).findFirst().orElseThrow();
    }

    @Test
    void acceptedSocketsAreIndependentEachServedByAThreadOfItsOwn() throws Exception {
        PipeServerSocket server = listen();
        int count = 4;
        List<Socket> clients = new ArrayList<>();
        List<CompletableFuture<Void>> echoes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            clients.add(connect());
            echoes.add(echo(accept(server)));
        }
        // Every client talks at once, a different length each, both ways at once.
        List<CompletableFuture<byte[]>> answers = new ArrayList<>();
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] bytes = new byte[(64 << 10) * (i + 1)];
            new Random(i).nextBytes(bytes);
            sent.add(bytes);
            Socket client = clients.get(i);
            CompletableFuture.runAsync(() -> {
                try {
                    client.getOutputStream().write(bytes);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, threads);
            answers.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return readFully(client.getInputStream(), bytes.length);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, threads));
        }
        for (int i = 0; i < count; i++) {
            assertArrayEquals(sent.get(i), answers.get(i).get(PATIENCE.toSeconds(), TimeUnit.SECONDS));
        }
        // One client leaving ends its own echo only; the others still answer.
        clients.get(0).close();
        echoes.get(0).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        for (int i = 1; i < count; i++) {
            clients.get(i).getOutputStream().write(i);
            assertEquals(i, clients.get(i).getInputStream().read());
            assertFalse(echoes.get(i).isDone());
        }
    }

    @Test
    void addressesNameThePipeAndPeerIsTheClient() throws Exception {
        PipeServerSocket server = listen();
        assertEquals(address(), server.getLocalSocketAddress());
        assertEquals(transport(), address().transport()); // a bare name: this system's transport
        assertNull(server.getInetAddress());
        assertEquals(-1, server.getLocalPort());
        PipeSocket client = (PipeSocket) connect();
        PipeSocket served = (PipeSocket) accept(server);
        assertEquals(address(), served.getLocalSocketAddress());
        assertEquals(address(), served.getRemoteSocketAddress());
        assertEquals(address(), client.getRemoteSocketAddress());
        // Both ends are this process: each sees the other as it is.
        PeerIdentity thisProcess = PeerIdentity.currentProcess();
        assertEquals(thisProcess.processId(), served.peer().processId());
        assertEquals(thisProcess.processId(), client.peer().processId());
        assertEquals(thisProcess.user(), served.peer().user());
    }

    @Test
    void bindsLaterToAPipeAddressOnceAndAFactorySocketToItsOwnAddress() throws Exception {
        PipeServerSocket server = closeLater(new PipeServerSocket());
        assertFalse(server.isBound());
        assertNull(server.getLocalSocketAddress());
        assertThrows(SocketException.class, server::accept);
        assertThrows(IllegalArgumentException.class, () -> server.bind(new InetSocketAddress(1099)));
        server.bind(address());
        assertTrue(server.isBound());
        assertThrows(SocketException.class, () -> server.bind(address()));
        Socket client = connect();
        accept(server).getOutputStream().write(1);
        assertEquals(1, client.getInputStream().read());
        server.close();

        // A factory's unbound socket binds to the factory's address whatever InetSocketAddress it is given.
        String other = name + "-factory";
        ServerSocket fromFactory = closeLater(PipeServerSocketFactory.of(other).createServerSocket());
        fromFactory.bind(new InetSocketAddress("localhost", 1099));
        assertEquals(PipeAddress.parse(other), fromFactory.getLocalSocketAddress());
    }

    @Test
    void aSecondServerSocketOnTheNameIsRefusedWithBindException() throws Exception {
        listen();
        BindException refused = assertThrows(BindException.class, () -> closeLater(new PipeServerSocket(address())));
        assertInstanceOf(PipeNameInUseException.class, refused.getCause());
    }

    @Test
    void clientsConnectBeforeAnyAcceptAndWaitInTheBacklog() throws Exception {
        PipeServerSocket server = listen();
        int count = 8; // more than the 4 instances that listen at once on Windows
        List<CompletableFuture<Socket>> connecting = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            connecting.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return connect();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, threads));
        }
        List<Socket> clients = new ArrayList<>();
        for (CompletableFuture<Socket> c : connecting) {
            clients.add(c.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)); // every connect succeeds with no accept yet
        }
        for (Socket client : clients) {
            client.getOutputStream().write(42);
        }
        for (int i = 0; i < count; i++) {
            assertEquals(42, accept(server).getInputStream().read());
        }
    }

    @Test
    void closeLeavesAcceptedSocketsOpenAndTakesNoNewClient() throws Exception {
        PipeServerSocket server = listen();
        Socket client = connect();
        Socket served = accept(server);
        server.close();
        client.getOutputStream().write("still".getBytes(UTF_8));
        assertEquals("still", new String(readFully(served.getInputStream(), 5), UTF_8));
        served.getOutputStream().write("here".getBytes(UTF_8));
        assertEquals("here", new String(readFully(client.getInputStream(), 4), UTF_8));
        assertThrows(IOException.class, () -> PipeSocketFactory.of(address()).withConnectTimeout(java.time.Duration.ZERO)
                .createSocket("localhost", 1099).close());
    }

    @Test
    void anAdmissionThatSaysNoLetsNoClientThrough() throws Exception {
        ServerSocket server = closeLater(PipeServerSocketFactory.of(address()).withAdmission(peer -> false).createServerSocket(0));
        server.setSoTimeout(200);
        try {
            Socket client = connect();
            InputStream in = client.getInputStream();
            try {
                assertEquals(-1, in.read()); // disconnected before anything is read
            } catch (IOException leftFirst) {
                // or the refusal came as the read began: either way, no byte
            }
        } catch (PeerClosedException refusedAsItConnected) {
            // Or sooner still: the refusal reached the connect itself (Wine does not keep the
            // order of the server's and the client's threads). No client got through either way.
        }
        assertThrows(SocketTimeoutException.class, server::accept);
    }

    @Test
    void aMebibyteEachWayThroughAnAcceptedSocket() throws Exception {
        PipeServerSocket server = listen();
        Socket client = connect();
        echo(accept(server));
        byte[] sent = new byte[1 << 20];
        new Random(4).nextBytes(sent);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                OutputStream out = client.getOutputStream();
                out.write(sent);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, threads);
        assertArrayEquals(sent, readFully(client.getInputStream(), sent.length));
        writer.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void anAcceptedSocketsCloseEndsItsBlockedReadAndItsClientReadsWhatWasWrittenFirst() throws Exception {
        PipeServerSocket server = listen();
        Socket client = connect();
        Socket served = accept(server);
        served.getOutputStream().write("bye".getBytes(UTF_8));
        CompletableFuture<Integer> reading = CompletableFuture.supplyAsync(() -> {
            try {
                return served.getInputStream().read();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, threads);
        served.close();
        Throwable failure = failureOf(reading);
        assertInstanceOf(SocketException.class, failure.getCause(), () -> "the read ended with " + failure);
        assertEquals("bye", new String(client.getInputStream().readAllBytes(), UTF_8));
    }
}
