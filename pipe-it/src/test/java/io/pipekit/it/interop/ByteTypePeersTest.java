package io.pipekit.it.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.client.PipeClient;
import io.pipekit.core.PipeException;
import io.pipekit.core.PipeType;
import io.pipekit.core.ReadMode;
import io.pipekit.it.ChildProcess;
import io.pipekit.it.docs.AgentStyle;
import io.pipekit.server.PipeServer;
import io.pipekit.testing.WindowsOnly;
import java.time.Duration;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Byte-type pipes against C peers nobody shaped to pipekit: an agent-style server
 * (agent-server.exe: a byte-type pipe, u32be frames, as Win32-OpenSSH's agent serves) and a
 * byte-mode client (byte-client.exe), each in its own process.
 */
@WindowsOnly
class ByteTypePeersTest {
    /** Blocking test work runs on threads of its own: the common pool has as few as the machine's cores minus one. */
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private final String name = "pipekit-bytes-" + UUID.randomUUID();

    private ChildProcess agentServer() throws Exception {
        ChildProcess server = ChildProcess.cPeer("agent-server.exe", name);
        server.awaitLine(l -> l.startsWith("listening on "), TIMEOUT);
        return server;
    }

    @Test
    void tutorialsAgentClientCountsTheKeysOfTheAgentStyleCServer() throws Exception {
        try (ChildProcess server = agentServer()) {
            assertEquals(0, AgentStyle.countIdentities(name));
        }
    }

    @Test
    void clientReadsTheCServersByteTypePipeInByteModeByItself() throws Exception {
        try (ChildProcess server = agentServer();
             PipeClient client = PipeClient.builder(name).connectTimeout(TIMEOUT).connect()) {
            assertEquals(ReadMode.BYTE, client.readMode(), "AUTO took the pipe's own type");
        }
    }

    @Test
    void messageReadModeOnTheCServersByteTypePipeIsRefusedAsOnWindows() throws Exception {
        try (ChildProcess server = agentServer()) {
            PipeException e = assertThrows(PipeException.class,
                    () -> PipeClient.builder(name).readMode(ReadMode.MESSAGE).connectTimeout(TIMEOUT).connect());
            assertEquals(87, e.code(), e.getMessage());
        }
    }

    @Test
    void oneMebibyteOfRandomBytesCrossesTheCServerBothWaysUnchanged() throws Exception {
        byte[] message = new byte[1 + (1 << 20)];
        new Random(27).nextBytes(message);
        message[0] = AgentStyle.EXTENSION; // the peer echoes extension messages whole
        try (ChildProcess server = agentServer();
             PipeClient client = PipeClient.builder(name).readMode(ReadMode.BYTE).connectTimeout(TIMEOUT).receiveTimeout(TIMEOUT).connect()) {
            // Written while the echo is read: a 1 MiB frame fills the pipe's buffers both ways.
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    AgentStyle.AGENT_TESTS.write(client.outputStream(), message);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, threads);
            byte[] echoed = AgentStyle.AGENT_TESTS.read(client.inputStream());
            writer.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            assertArrayEquals(message, echoed);
        }
    }

    @Test
    void cByteClientEchoesOneMebibyteThroughPipekitsByteTypeServer() throws Exception {
        try (PipeServer server = PipeServer.builder(name).pipeType(PipeType.BYTE)
                .streamHandler((connection, in, out) -> in.transferTo(out)).start();
             ChildProcess client = ChildProcess.cPeer("byte-client.exe", name, String.valueOf(1 << 20), "12345")) {
            assertEquals(0, client.awaitExit(TIMEOUT), () -> "byte-client.exe failed: " + client.output());
            assertEquals("byte-type pipe", client.output().get(0));
            assertTrue(client.output().contains("echoed 1048576 bytes"), client.output().toString());
        }
    }

    @Test
    void cByteClientEchoesThroughTheServerJarsStreamEcho() throws Exception {
        try (ChildProcess server = ChildProcess.jar("pipe-server.jar", "--name", name, "--mode", "byte", "--raw")) {
            server.awaitLine(l -> l.startsWith("pipe-server: serving"), TIMEOUT);
            try (ChildProcess client = ChildProcess.cPeer("byte-client.exe", name, "300000", "777")) {
                assertEquals(0, client.awaitExit(TIMEOUT), () -> "byte-client.exe failed: " + client.output());
                assertTrue(client.output().contains("echoed 300000 bytes"), client.output().toString());
            }
        }
    }
}
