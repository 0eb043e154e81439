package io.pipekit.it.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.client.PipeSocketFactory;
import io.pipekit.core.PipeType;
import io.pipekit.it.ChildProcess;
import io.pipekit.server.PipeServer;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pipe-client http --max-time}, curl's bound on the whole request, against servers that
 * never finish answering: the built pipe-client.jar exits 28 with one line on stderr, as curl's
 * "operation timeout". The servers are the JDK's own Unix sockets, which accept and stay silent
 * (or stop mid-response); no Docker engine is needed. Only a generous guard bounds the wait.
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class HttpCliMaxTimeTest {
    /** Blocking test work runs on threads of its own: the common pool has as few as the machine's cores minus one. */
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    /** Far beyond the --max-time given: the process must end long before, or it hangs. */
    private static final Duration HANG_GUARD = Duration.ofSeconds(60);

    @Test
    void aServerThatNeverAnswersEndsWithExit28AndOneLine(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("silent.sock");
        try (ServerSocketChannel silent = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            silent.bind(UnixDomainSocketAddress.of(path));
            CompletableFuture<SocketChannel> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return silent.accept(); // and never a byte back
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            }, threads);
            try (ChildProcess http = ChildProcess.jar("pipe-client.jar", "http", "--max-time", "1.5", "--name", "unix://" + path, "/version")) {
                assertEquals(28, http.awaitExit(HANG_GUARD), () -> "--max-time passed: " + http.output());
                assertEquals(List.of("pipe-client: http: operation timed out: no complete answer from " + path
                        + " within 1500ms (--max-time)"), http.output());
            } finally {
                accepted.thenAccept(HttpCliMaxTimeTest::closeQuietly);
            }
            accepted.get(HANG_GUARD.toSeconds(), TimeUnit.SECONDS); // the client did connect: the timeout is the answer's
        }
    }

    @Test
    void aResponseThatStopsMidwayEndsWithExit28Too(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("stalls.sock");
        try (ServerSocketChannel stalls = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            stalls.bind(UnixDomainSocketAddress.of(path));
            CompletableFuture<SocketChannel> answered = CompletableFuture.supplyAsync(() -> {
                try {
                    SocketChannel client = stalls.accept();
                    client.read(ByteBuffer.allocate(4096)); // the request
                    // A head and half the body it announces, then nothing.
                    client.write(ByteBuffer.wrap("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf!".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
                    return client;
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            }, threads);
            try (ChildProcess http = ChildProcess.jar("pipe-client.jar", "http", "-m", "2", "--name", "unix://" + path, "/version")) {
                assertEquals(28, http.awaitExit(HANG_GUARD), () -> "--max-time passed mid-body: " + http.output());
                // What came is printed, as curl prints it (no newline ends it), then the line that says why.
                assertEquals(List.of("half!pipe-client: http: operation timed out: no complete answer from " + path
                        + " within 2s (--max-time)"), http.output());
            } finally {
                answered.thenAccept(HttpCliMaxTimeTest::closeQuietly);
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aPipeThatStaysBusyIsWaitedForNoLongerThanMaxTime() throws Exception {
        // A pipekit server that allows one client at a time, taken: every other connect finds it busy.
        String name = "pipekit-http-busy-" + UUID.randomUUID();
        CountDownLatch served = new CountDownLatch(1);
        try (PipeServer server = PipeServer.builder(name).pipeType(PipeType.BYTE).maxInstances(1).streamHandler((connection, in, out) -> {
                    served.countDown();
                    in.read(); // holds the only instance until the client goes
                }).start();
                java.net.Socket holder = PipeSocketFactory.of(name).withConnectTimeout(Duration.ofSeconds(30)).createSocket("localhost", 80)) {
            assertTrue(served.await(30, TimeUnit.SECONDS), "the first client was served");
            // HttpClient's own connect timeout is 3 minutes: --max-time (and --timeout) must bound it.
            try (ChildProcess http = ChildProcess.jar("pipe-client.jar", "http", "--max-time", "1", "--timeout", "1s", "--name", name, "/version")) {
                assertEquals(28, http.awaitExit(HANG_GUARD), () -> "--max-time passed while the pipe was busy: " + http.output());
                assertEquals(1, http.output().size(), () -> "one line: " + http.output());
                assertTrue(http.output().get(0).startsWith("pipe-client: http: operation timed out: no complete answer from "),
                        () -> "says why: " + http.output());
            }
        }
    }

    @Test
    void aMaxTimeBelowAMillisecondIsAUsageError() throws Exception {
        for (String tooShort : List.of("1e-10", "0.0009")) {
            try (ChildProcess http = ChildProcess.jar("pipe-client.jar", "http", "--max-time", tooShort, "--name", "unix:///tmp/x.sock", "/version")) {
                assertEquals(2, http.awaitExit(HANG_GUARD), () -> tooShort + " is a usage error: " + http.output());
                assertTrue(http.output().stream().anyMatch(l -> l.contains("--max-time must be at least 0.001 seconds")),
                        () -> "says why: " + http.output());
            }
        }
    }

    @Test
    void aMaxTimeThatIsNoPositiveNumberIsAUsageError() throws Exception {
        try (ChildProcess http = ChildProcess.jar("pipe-client.jar", "http", "--max-time", "0", "--name", "unix:///tmp/x.sock", "/version")) {
            assertEquals(2, http.awaitExit(HANG_GUARD), () -> "a usage error: " + http.output());
            assertTrue(http.output().stream().anyMatch(l -> l.contains("--max-time must be more than 0 seconds")), () -> "says why: " + http.output());
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (java.io.IOException e) {
            // the test is over
        }
    }
}
