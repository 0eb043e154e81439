package io.pipekit.it.sockets;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.client.PipeAddress;
import io.pipekit.client.PipeSocketFactory;
import io.pipekit.core.NoSuchPipeException;
import io.pipekit.core.PipeBusyException;
import io.pipekit.core.PipeClosedException;
import io.pipekit.core.PipeTimeoutException;
import io.pipekit.core.PipeType;
import io.pipekit.core.ReadMode;
import io.pipekit.core.Transport;
import io.pipekit.server.PipeServer;
import io.pipekit.server.StreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link io.pipekit.client.PipeSocket}'s contract, as {@code java.net.Socket} states it and as
 * connection pools lean on it (issue 26), against a pipekit server. Part of the shared
 * specification: each transport's subclass runs it.
 */
abstract class PipeSocketSpec {
    /** Blocking test work runs on threads of its own: the common pool has as few as the machine's cores minus one. */
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    static final Duration PATIENCE = Duration.ofSeconds(30);
    /** What "at once" means here: far below PATIENCE, far above any scheduling hiccup. */
    static final Duration AT_ONCE = Duration.ofSeconds(5);

    private final List<AutoCloseable> toClose = new ArrayList<>();
    final String name = "pipekit-socket-" + UUID.randomUUID();

    abstract Transport transport();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    <T extends AutoCloseable> T closeLater(T closeable) {
        toClose.add(closeable);
        return closeable;
    }

    PipeServer.Builder server(PipeType type) {
        return PipeServer.builder(name).transport(transport()).pipeType(type);
    }

    PipeServer byteServer(StreamHandler handler) throws Exception {
        return closeLater(server(PipeType.BYTE).streamHandler(handler).start());
    }

    PipeSocketFactory factory() {
        return PipeSocketFactory.of(name).withConnectTimeout(PATIENCE);
    }

    Socket connect() throws IOException {
        return closeLater(factory().createSocket("localhost", 2375));
    }

    static byte[] readFully(InputStream in, int count) throws IOException {
        byte[] bytes = new byte[count];
        int filled = 0;
        while (filled < count) {
            int n = in.read(bytes, filled, count - filled);
            if (n < 0) {
                throw new AssertionError("the stream ended after " + filled + " of " + count + " bytes");
            }
            filled += n;
        }
        return bytes;
    }

    @Test
    void oneThreadReadsWhileAnotherWritesAMebibyteThroughAnEcho() throws Exception {
        byteServer((connection, in, out) -> in.transferTo(out));
        Socket socket = connect();
        byte[] sent = new byte[1 << 20];
        new Random(26).nextBytes(sent);

        // The echo's buffers fill both ways unless the read and the write go on at once.
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                OutputStream out = socket.getOutputStream();
                for (int offset = 0; offset < sent.length; offset += 8192) {
                    out.write(sent, offset, Math.min(8192, sent.length - offset));
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, threads);
        assertArrayEquals(sent, readFully(socket.getInputStream(), sent.length));
        writer.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }

    @Test
    void aMessageTypePipeIsReadAsOneStreamOfItsMessagesBytes() throws Exception {
        closeLater(server(PipeType.MESSAGE).handler((client, request) -> request).start());
        Socket socket = closeLater(factory().withReadMode(ReadMode.AUTO).createSocket("localhost", 80));
        socket.getOutputStream().write("one".getBytes(UTF_8));
        socket.getOutputStream().write("two".getBytes(UTF_8));
        assertEquals("onetwo", new String(readFully(socket.getInputStream(), 6), UTF_8));
    }

    /**
     * Apache HttpClient's stale check and OkHttp's health check: a read with a 1 ms deadline, which
     * must end with a SocketTimeoutException and leave the socket as it was.
     */
    @Test
    void aReadPastItsSoTimeoutThrowsSocketTimeoutExceptionAndTheSocketStaysUsable() throws Exception {
        byteServer((connection, in, out) -> in.transferTo(out));
        Socket socket = connect();
        InputStream in = socket.getInputStream();
        for (int i = 0; i < 3; i++) {
            socket.setSoTimeout(1);
            SocketTimeoutException e = assertThrows(SocketTimeoutException.class, () -> in.read());
            assertInstanceOf(PipeTimeoutException.class, e.getCause());
            assertFalse(socket.isClosed());
        }
        socket.setSoTimeout((int) PATIENCE.toMillis());
        assertEquals(PATIENCE.toMillis(), socket.getSoTimeout());
        socket.getOutputStream().write("still here".getBytes(UTF_8));
        assertEquals("still here", new String(readFully(in, 10), UTF_8));
    }

    @Test
    void closeFromAnotherThreadEndsABlockedReadAtOnce() throws Exception {
        CountDownLatch served = new CountDownLatch(1);
        byteServer((connection, in, out) -> {
            served.countDown();
            in.read(); // sends nothing; waits for the client to go
        });
        Socket socket = connect();
        assertTrue(served.await(PATIENCE.toSeconds(), TimeUnit.SECONDS));
        InputStream in = socket.getInputStream();
        CompletableFuture<Throwable> reader = blockedCall(() -> in.read());
        socket.close();
        Throwable failure = reader.get(AT_ONCE.toSeconds(), TimeUnit.SECONDS);
        assertInstanceOf(SocketException.class, failure, () -> "the read ended with " + failure);
        assertInstanceOf(PipeClosedException.class, failure.getCause());
    }

    /** An I/O call that cannot finish by itself. */
    interface Call {
        void run() throws IOException;
    }

    /**
     * Runs {@code call} on a thread of its own and returns once that thread waits inside the
     * transport (in a selector, or in WaitForMultipleObjects): what it threw then completes the future.
     */
    static CompletableFuture<Throwable> blockedCall(Call call) throws InterruptedException {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                call.run();
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        }, "blocked call");
        thread.setDaemon(true);
        thread.start();
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!waitsInTheTransport(thread) && !outcome.isDone()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the call never waited: " + java.util.Arrays.toString(thread.getStackTrace()));
            }
            Thread.sleep(1); // polling for the state: a thread's stack is all that shows it
        }
        assertFalse(outcome.isDone(), () -> "the call ended by itself: " + outcome.getNow(null));
        return outcome;
    }

    private static boolean waitsInTheTransport(Thread thread) {
        for (StackTraceElement frame : thread.getStackTrace()) {
            if (frame.getMethodName().equals("WaitForMultipleObjects")
                    || frame.getClassName().startsWith("sun.nio.ch.") && frame.getMethodName().contains("select")) {
                return true;
            }
        }
        return false;
    }

    @Test
    void closeFromAnotherThreadEndsABlockedWriteAtOnce() throws Exception {
        CountDownLatch firstByte = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        closeLater(server(PipeType.BYTE).maxQueuedBytes(64 * 1024).streamHandler((connection, in, out) -> {
            in.read();
            firstByte.countDown();
            release.await(); // reads no more: the client's write fills every buffer and waits
        }).start());
        closeLater(release::countDown);
        Socket socket = connect();
        byte[] tooMuch = new byte[32 << 20]; // far beyond what the server queues and the kernel holds
        OutputStream out = socket.getOutputStream();
        CompletableFuture<Throwable> writer = blockedCall(() -> out.write(tooMuch));
        assertTrue(firstByte.await(PATIENCE.toSeconds(), TimeUnit.SECONDS));
        socket.close();
        Throwable failure = writer.get(AT_ONCE.toSeconds(), TimeUnit.SECONDS);
        assertInstanceOf(SocketException.class, failure, () -> "the write ended with " + failure);
        assertInstanceOf(PipeClosedException.class, failure.getCause());
    }

    @Test
    void theSocketsStateFollowsTheSocketContractFromUnconnectedToClosed() throws Exception {
        CountDownLatch sendThree = new CountDownLatch(1);
        byteServer((connection, in, out) -> {
            sendThree.await();
            out.write(new byte[] {1, 2, 3});
            in.read();
        });
        Socket socket = closeLater(factory().createSocket());
        assertFalse(socket.isConnected());
        assertFalse(socket.isBound());
        assertNull(socket.getRemoteSocketAddress());
        assertEquals("Socket is not connected", assertThrows(SocketException.class, socket::getInputStream).getMessage());

        socket.connect(new InetSocketAddress("localhost", 80), (int) PATIENCE.toMillis()); // host and port ignored
        assertTrue(socket.isConnected());
        assertTrue(socket.isBound());
        assertEquals(PipeAddress.parse(name), socket.getRemoteSocketAddress());
        assertNull(socket.getInetAddress());
        assertEquals(0, socket.getPort());
        assertThrows(SocketException.class, () -> socket.connect(new InetSocketAddress("localhost", 80)));
        InputStream in = socket.getInputStream();
        assertEquals(0, in.available());

        sendThree.countDown();
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (in.available() < 3 && System.nanoTime() < deadline) {
            Thread.onSpinWait(); // waiting for the state the test is about: the three bytes arrived
        }
        assertEquals(3, in.available());
        assertArrayEquals(new byte[] {1, 2, 3}, readFully(in, 3));
        assertEquals(0, in.available());

        socket.setTcpNoDelay(true); // what HTTP clients set on every socket: accepted
        socket.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        assertTrue(socket.getTcpNoDelay());
        assertTrue(socket.getOption(StandardSocketOptions.TCP_NODELAY));
        assertTrue(socket.getKeepAlive());
        assertThrows(UnsupportedOperationException.class, () -> socket.setOption(StandardSocketOptions.SO_BROADCAST, true));

        in.close(); // closing a socket's stream closes the socket
        assertTrue(socket.isClosed());
        assertTrue(socket.isConnected(), "closing a socket does not clear its connection state");
        assertEquals("Socket is closed", assertThrows(SocketException.class, socket::getInputStream).getMessage());
        assertThrows(SocketException.class, () -> in.read());
        assertThrows(SocketException.class, in::available);
        assertThrows(SocketException.class, () -> socket.setSoTimeout(1));
        socket.close(); // idempotent
    }

    @Test
    void shutdownInputMakesEveryReadTheEndOfTheStream() throws Exception {
        byteServer((connection, in, out) -> in.transferTo(out));
        Socket socket = connect();
        InputStream in = socket.getInputStream();
        socket.shutdownInput();
        assertTrue(socket.isInputShutdown());
        assertEquals(-1, in.read());
        assertEquals(0, in.available());
        assertThrows(SocketException.class, socket::getInputStream);
        assertThrows(SocketException.class, socket::shutdownInput);
        socket.getOutputStream().write(1); // writing goes on
        assertFalse(socket.isClosed());
    }

    /** After shutdownOutput this socket writes no more; what the server sees is each transport's (see the subclasses). */
    @Test
    void shutdownOutputStopsThisSocketsWrites() throws Exception {
        byteServer((connection, in, out) -> in.transferTo(out));
        Socket socket = connect();
        OutputStream out = socket.getOutputStream();
        out.write("hello".getBytes(UTF_8));
        socket.shutdownOutput();
        assertTrue(socket.isOutputShutdown());
        assertEquals("Socket output is shutdown", assertThrows(SocketException.class, () -> out.write(1)).getMessage());
        assertThrows(SocketException.class, socket::getOutputStream);
        assertThrows(SocketException.class, socket::shutdownOutput);
        assertFalse(socket.isClosed());
        assertFalse(socket.isInputShutdown());
    }

    @Test
    void aPipeNobodyServesIsAConnectExceptionAtOnceCausedByNoSuchPipe() {
        long start = System.nanoTime();
        ConnectException e = assertThrows(ConnectException.class, () -> factory().createSocket("localhost", 80));
        assertInstanceOf(NoSuchPipeException.class, e.getCause());
        assertTrue(System.nanoTime() - start < AT_ONCE.toNanos(), "not retried for the connect timeout: HTTP clients retry themselves");
    }

    @Test
    void aPipeThatStaysBusyEndsWithPipeBusyExceptionAfterTheConnectTimeout() throws Exception {
        CountDownLatch first = new CountDownLatch(1);
        closeLater(server(PipeType.BYTE).maxInstances(1).streamHandler((connection, in, out) -> {
            first.countDown();
            in.read();
        }).start());
        connect();
        assertTrue(first.await(PATIENCE.toSeconds(), TimeUnit.SECONDS));
        Socket second = closeLater(factory().createSocket());
        long start = System.nanoTime();
        assertThrows(PipeBusyException.class, () -> second.connect(new InetSocketAddress("localhost", 80), 300));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(300), "retried for the connect timeout");
        assertFalse(second.isConnected());
    }

    @Test
    void closeFromAnotherThreadEndsAConnectThatWaitsOnABusyPipe() throws Exception {
        CountDownLatch first = new CountDownLatch(1);
        closeLater(server(PipeType.BYTE).maxInstances(1).streamHandler((connection, in, out) -> {
            first.countDown();
            in.read();
        }).start());
        connect();
        assertTrue(first.await(PATIENCE.toSeconds(), TimeUnit.SECONDS));
        Socket second = closeLater(factory().createSocket()); // retries a busy pipe for PATIENCE
        CompletableFuture<Throwable> connecting = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                second.connect(new InetSocketAddress("localhost", 80));
                connecting.complete(null);
            } catch (Throwable t) {
                connecting.complete(t);
            }
        }, "connect to a busy pipe");
        thread.setDaemon(true);
        thread.start();
        awaitRetryingABusyPipe(thread, connecting);
        second.close();
        Throwable failure = connecting.get(AT_ONCE.toSeconds(), TimeUnit.SECONDS);
        assertInstanceOf(SocketException.class, failure, () -> "the connect ended with " + failure);
        assertEquals("Socket closed", failure.getMessage());
        assertFalse(second.isConnected());
    }

    /** Returns once {@code thread} waits between two attempts on the busy pipe (its stack is all that shows it). */
    private static void awaitRetryingABusyPipe(Thread thread, CompletableFuture<Throwable> outcome) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!retriesABusyPipe(thread) && !outcome.isDone()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the connect never waited: " + java.util.Arrays.toString(thread.getStackTrace()));
            }
            Thread.sleep(1);
        }
        assertFalse(outcome.isDone(), () -> "the connect ended by itself: " + outcome.getNow(null));
    }

    private static boolean retriesABusyPipe(Thread thread) {
        for (StackTraceElement frame : thread.getStackTrace()) {
            if (frame.getMethodName().equals("WaitNamedPipe") || frame.getMethodName().equals("pauseBeforeRetry")) {
                return true;
            }
        }
        return false;
    }
}
