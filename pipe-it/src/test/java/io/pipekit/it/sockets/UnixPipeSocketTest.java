package io.pipekit.it.sockets;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pipekit.client.PipeSocketFactory;
import io.pipekit.core.Transport;
import java.io.InputStream;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** {@link PipeSocketSpec} on Unix domain sockets, natively on Linux and macOS. */
@EnabledOnOs({OS.LINUX, OS.MAC})
class UnixPipeSocketTest extends PipeSocketSpec {
    /** Blocking test work runs on threads of its own: the common pool has as few as the machine's cores minus one. */
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    @Override
    Transport transport() {
        return Transport.UNIX_DOMAIN_SOCKETS;
    }

    /**
     * shutdownOutput is the kernel's half-close: the server reads the end of the stream and still
     * answers, and this side reads the answer. The server is the JDK's own Unix socket, not pipekit's.
     */
    @Test
    void shutdownOutputIsAHalfCloseTheServerReadsAsTheEndOfTheStream() throws Exception {
        Path dir = Files.createTempDirectory("pipekit-socket");
        Path path = dir.resolve("half-close.sock");
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(path));
            CompletableFuture<Void> server = CompletableFuture.runAsync(() -> {
                try (SocketChannel client = listener.accept()) {
                    byte[] all = Channels.newInputStream(client).readAllBytes(); // to the end of the stream
                    client.write(ByteBuffer.wrap(("got " + all.length).getBytes(UTF_8)));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, threads);
            try (Socket socket = PipeSocketFactory.of("unix://" + path).createSocket("localhost", 80)) {
                socket.getOutputStream().write("hello".getBytes(UTF_8));
                socket.shutdownOutput();
                InputStream in = socket.getInputStream();
                assertEquals("got 5", new String(in.readAllBytes(), UTF_8));
            }
            server.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        } finally {
            Files.deleteIfExists(path);
            Files.delete(dir);
        }
    }

    /**
     * A socket's close is one close: the server sees the client gone the moment it reads the end of
     * the stream, never a half-close first. (A JDK channel still registered with a selector, as a
     * socket that once waited for a read is, only shuts its output on close, and closes when the
     * selector lets go of it: a server that read the end of the stream in between took it for a
     * half-close, and kept a client that had left; CI saw it once in
     * aClientThatClosesEndsItsStreamHandlersConnectionAndFreesItsInstance.) The server is the JDK's
     * own, asking the kernel what pipekit's server asks at the end of a stream.
     */
    @Test
    void aSocketThatWaitedToReadClosesAtOnceNeverHalfClosingFirst() throws Exception {
        Path dir = Files.createTempDirectory("pipekit-socket");
        Path path = dir.resolve("close.sock");
        int rounds = 200;
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(path));
            CompletableFuture<Integer> halfClosesSeen = CompletableFuture.supplyAsync(() -> {
                int halfCloses = 0;
                for (int i = 0; i < rounds; i++) {
                    try (SocketChannel client = listener.accept()) {
                        if (client.read(ByteBuffer.allocate(1)) != -1) {
                            throw new IllegalStateException("the client sent a byte");
                        }
                        if (io.pipekit.core.unix.PeerShutdown.onlyHalfClosed(client)) {
                            halfCloses++;
                        }
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
                return halfCloses;
            }, threads);
            PipeSocketFactory sockets = PipeSocketFactory.of("unix://" + path);
            for (int i = 0; i < rounds; i++) {
                try (Socket socket = sockets.createSocket("localhost", 80)) {
                    socket.setSoTimeout(1);
                    // A read with a timeout waits in a selector; the server sends nothing.
                    assertThrows(java.net.SocketTimeoutException.class, () -> socket.getInputStream().read());
                }
            }
            assertEquals(0, halfClosesSeen.get(PATIENCE.toSeconds(), TimeUnit.SECONDS),
                    "closes that the server saw as a half-close first, of " + rounds);
        } finally {
            Files.deleteIfExists(path);
            Files.delete(dir);
        }
    }

    /**
     * pipekit's own server takes a half-close as the end of a stream handler's input, not of the
     * connection: the handler reads to the end of the stream and still answers (a request whose end
     * the client marks by half-closing, as {@code nc -N} does).
     */
    @Test
    void aStreamHandlerAnswersAfterTheClientHalfCloses() throws Exception {
        byteServer((connection, in, out) -> {
            byte[] all = in.readAllBytes(); // to the client's half-close
            out.write(("got " + all.length).getBytes(UTF_8));
        });
        Socket socket = connect();
        socket.getOutputStream().write("hello".getBytes(UTF_8));
        socket.shutdownOutput();
        assertEquals("got 5", new String(socket.getInputStream().readAllBytes(), UTF_8));
    }

    /** shutdownInput is the kernel's too: a read already waiting ends with the end of the stream. */
    @Test
    void shutdownInputEndsAWaitingReadWithTheEndOfTheStream() throws Exception {
        java.util.concurrent.CountDownLatch served = new java.util.concurrent.CountDownLatch(1);
        byteServer((connection, in, out) -> {
            served.countDown();
            in.read(); // sends nothing
        });
        Socket socket = connect();
        assertEquals(true, served.await(PATIENCE.toSeconds(), TimeUnit.SECONDS));
        InputStream in = socket.getInputStream();
        CompletableFuture<Integer> result = new CompletableFuture<>();
        CompletableFuture<Throwable> reader = blockedCall(() -> result.complete(in.read()));
        socket.shutdownInput();
        assertEquals(null, reader.get(AT_ONCE.toSeconds(), TimeUnit.SECONDS), "the read threw");
        assertEquals(-1, result.get());
    }

    /**
     * Review of issue 26: a client that closes (not half-closes) has left: its stream handler's
     * connection ends, and its instance is free for the next client (every end of stream was taken
     * for a half-close: with one instance, the next client was told busy).
     */
    @Test
    void aClientThatClosesEndsItsStreamHandlersConnectionAndFreesItsInstance() throws Exception {
        java.util.concurrent.CountDownLatch left = new java.util.concurrent.CountDownLatch(1);
        closeLater(server(io.pipekit.core.PipeType.BYTE).maxInstances(1).streamHandler((connection, in, out) -> {
            out.write(1);
            while (connection.isOpen()) {
                Thread.sleep(10); // never reads: only the connection's state ends it
            }
            left.countDown();
        }).start());
        try (Socket first = factory().createSocket("localhost", 2375)) {
            assertEquals(1, first.getInputStream().read()); // served
        }
        assertEquals(true, left.await(PATIENCE.toSeconds(), TimeUnit.SECONDS), "the stream handler's connection stayed open");
        Socket second = connect();
        assertEquals(1, second.getInputStream().read(), "the next client was not served");
    }
}
