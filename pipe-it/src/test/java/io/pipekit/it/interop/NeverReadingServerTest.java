package io.pipekit.it.interop;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.client.PipeClient;
import io.pipekit.core.PipeTimeoutException;
import io.pipekit.it.ChildProcess;
import io.pipekit.testing.WindowsOnly;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Defect 11: a C server that accepts and never reads, its pipe created with {@code nInBufferSize}
 * 0, so that a write completes only when the server reads (go-winio's default, which is how the
 * defect was found). Without a send deadline the client waited forever.
 */
@WindowsOnly
class NeverReadingServerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private final String name = "pipekit-never-read-" + UUID.randomUUID();

    @Test
    void sendTimesOutAndTheCancelledWriteLeavesTheConnectionUsable() throws Exception {
        try (ChildProcess server = ChildProcess.cPeer("never-read-server.exe", name)) {
            server.awaitLine(l -> l.startsWith("waiting on"), TIMEOUT);
            try (PipeClient client = PipeClient.builder(name).connectTimeout(TIMEOUT).connect()) {
                server.awaitLine("client connected"::equals, TIMEOUT);
                byte[] hello = "hello".getBytes(UTF_8);
                long started = System.nanoTime();

                PipeTimeoutException e = assertThrows(PipeTimeoutException.class, () -> client.send(hello, Duration.ofMillis(300)));

                long waited = System.nanoTime() - started;
                assertTrue(waited >= Duration.ofMillis(300).toNanos() && waited < Duration.ofSeconds(10).toNanos(),
                        "a 300 ms send timeout ended after " + waited / 1e6 + " ms");
                // The cancelled write took nothing (quota 0): the message stream is whole, the connection usable.
                assertTrue(e.getMessage().contains("stays usable"), e.getMessage());
                assertTrue(client.isOpen());
                assertThrows(PipeTimeoutException.class, () -> client.send(hello, Duration.ofMillis(100)), "and again");
                assertTrue(client.isOpen());
            }
        }
    }

    /** The one-shot client's --reply-timeout covers the send too: one line, exit 1, within seconds. */
    @Test
    void clientJarGivesUpOnAServerThatNeverReadsWithinItsReplyTimeout() throws Exception {
        try (ChildProcess server = ChildProcess.cPeer("never-read-server.exe", name)) {
            server.awaitLine(l -> l.startsWith("waiting on"), TIMEOUT);
            long started = System.nanoTime();
            try (ChildProcess client = ChildProcess.jar("pipe-client.jar", "--name", name, "--reply-timeout", "2s", "hello")) {
                assertEquals(1, client.awaitExit(TIMEOUT), () -> String.join("\n", client.output()));
                long took = System.nanoTime() - started;
                assertEquals(1, client.output().size(), () -> "expected one line, got " + client.output());
                String line = client.output().get(0);
                assertTrue(line.startsWith("pipe-client: ") && line.contains("timed out: the server did not take the message within 2s"), line);
                // Generous: a JVM starts in 2 to 4 s under Wine; without the fix it never ended.
                assertTrue(took < Duration.ofSeconds(40).toNanos(), "pipe-client took " + took / 1e9 + " s");
            }
        }
    }
}
