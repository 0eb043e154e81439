package io.pipekit.client.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.pipekit.core.PipeClosedException;
import io.pipekit.core.PipeName;
import io.pipekit.core.PipeTimeoutException;
import io.pipekit.core.ReadMode;
import io.pipekit.core.ServerTrust;
import io.pipekit.core.transport.ClientConfig;
import io.pipekit.core.transport.ResolvedServerTrust;
import io.pipekit.core.unix.SocketPaths;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * A receive's deadline read off a clock the test drives: the moments between two readings of the
 * clock, where a deadline may pass, are made to happen on every run. The server end is a plain
 * socket that accepts and never writes.
 */
@DisabledOnOs(OS.WINDOWS)
class UnixClientDeadlineTest {
    /** Blocking test work runs on threads of its own: the common pool has as few as the machine's cores minus one. */
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    private static final long MILLI = 1_000_000;
    private final PipeName name = PipeName.of("pipekit-deadline-" + UUID.randomUUID());
    private ServerSocketChannel server;
    private SocketChannel accepted;
    private UnixClientConnection client;
    private Path path;

    @BeforeEach
    void serverThatNeverWrites() throws Exception {
        path = SocketPaths.forName(name);
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        client = UnixClientConnection.connect(new ClientConfig(name, Duration.ofSeconds(5), false, false, 1 << 20,
                ReadMode.MESSAGE, ResolvedServerTrust.of(ServerTrust.currentUserOrSystem())));
        accepted = server.accept();
    }

    @AfterEach
    void closeAll() throws Exception {
        client.close();
        accepted.close();
        server.close();
        Files.deleteIfExists(path);
    }

    /**
     * Defect 4: the deadline passes between two readings of the clock in one wait step. A wait of
     * "0 ms" there is a wait without limit to a selector: the receive never ends.
     */
    @Test
    void deadlineThatPassesBetweenTwoReadingsOfTheClockEndsTheReceive() {
        // Each reading moves the clock on by 0.6 ms: the start, then 0.6 ms (not passed),
        // then 1.2 ms (passed) for a 1 ms timeout.
        AtomicInteger readings = new AtomicInteger();
        client.clock = () -> readings.getAndIncrement() * 600_000L;

        assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(PipeTimeoutException.class, () -> client.receive(1)),
                "the receive waited without limit once its deadline had passed");
    }

    /** Lesser defect: {@code timeoutMillis * 1e6} overflowed, and {@code receive} of 365,000 days timed out at once. */
    @Test
    void aTimeoutTooLongForNanosecondsNeverPassesAtOnce() {
        // 365,000 days in milliseconds, times a million, overflows a long.
        long timeoutMillis = Duration.ofDays(365_000).toMillis();
        var closer = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
            client.close();
        });
        closer.start();
        // Ends with the close, not with an instant timeout.
        assertThrows(PipeClosedException.class, () -> client.receive(timeoutMillis));
    }

    /**
     * Defect 11 on Unix: a server that never reads, its socket buffer full. A send that times out
     * before any of its bytes went out leaves the connection usable with its framing whole: once
     * the server reads again, it finds every message that was sent, then the next.
     */
    @Test
    void sendThatTimesOutWithNothingSentLeavesTheConnectionUsable() throws Exception {
        byte[] one = {42};
        int sent = 0;
        PipeTimeoutException timedOut = null;
        long waited = 0;
        while (timedOut == null && sent < 10_000_000) {
            long started = System.nanoTime();
            try {
                client.send(one, 0, 1, 100); // a 5-byte frame: all of it goes, or none
                sent++;
            } catch (PipeTimeoutException e) {
                waited = System.nanoTime() - started;
                timedOut = e;
            }
        }
        assertTrue(timedOut != null, "the socket buffer never filled");
        assertTrue(waited >= 100_000_000L && waited < 10_000_000_000L, "a 100 ms send timeout ended after " + waited / 1e6 + " ms");
        assertTrue(timedOut.getMessage().contains("stays usable"), timedOut.getMessage());
        assertTrue(client.isOpen());
        assertThrows(PipeTimeoutException.class, () -> client.send(one, 0, 1, 0), "a zero timeout only looks, and the buffer is full");

        int messages = sent;
        var drained = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                var in = new java.io.DataInputStream(java.nio.channels.Channels.newInputStream(accepted));
                for (int i = 0; i < messages; i++) {
                    int length = in.readInt();
                    if (length != 1 || in.readByte() != 42) {
                        return "message " + i + " of " + messages + " is broken: length " + length;
                    }
                }
                byte[] last = new byte[in.readInt()];
                in.readFully(last);
                return new String(last, java.nio.charset.StandardCharsets.UTF_8);
            } catch (Exception e) {
                return e.toString();
            }
        }, threads);
        client.send("after".getBytes(java.nio.charset.StandardCharsets.UTF_8), 0, 5, 30_000);
        assertEquals("after", drained.get(30, java.util.concurrent.TimeUnit.SECONDS));
    }

    /** Defect 11 on Unix: a send that times out part-way closes the connection, and says so. */
    @Test
    void sendThatTimesOutPartWayClosesTheConnection() {
        byte[] big = new byte[16 * 1024 * 1024]; // far more than any socket buffer
        PipeTimeoutException e = assertThrows(PipeTimeoutException.class, () -> client.send(big, 0, big.length, 200));
        assertTrue(e.getMessage().contains("connection is closed"), e.getMessage());
        assertFalse(client.isOpen());
        assertThrows(PipeClosedException.class, () -> client.send(new byte[] {1}, 0, 1, 200));
    }
}
