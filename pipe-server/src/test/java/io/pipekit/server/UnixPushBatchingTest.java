package io.pipekit.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.client.PipeClient;
import io.pipekit.core.Transport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Sends that wait together go out together: a server that pushes many small messages to one
 * client pays a system call per buffer of them, not one per message (issue 28: server push at C
 * speed), and every message still arrives whole, in order, each send completing once written.
 *
 * <p>The count of write calls is the process's own ({@code syscw} in {@code /proc/self/io}, Linux),
 * so the test counts what the kernel counted, not what the code believes it did.
 */
@EnabledOnOs(OS.LINUX)
class UnixPushBatchingTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int PUSHES = 2_000;
    private final String name = "pipekit-push-batching-" + UUID.randomUUID();
    private PipeServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void sendsQueuedTogetherGoOutInFarFewerWriteCallsThanMessagesAndArriveInOrder() throws Exception {
        List<CompletionStage<Void>> sent = new ArrayList<>();
        long[] writesBefore = new long[1];
        server = PipeServer.builder(name).transport(Transport.UNIX_DOMAIN_SOCKETS).connectionHandler(new ConnectionHandler() {
            @Override
            public void messageReceived(Connection connection, byte[] request) {
                // All sent from the server thread in one go: they wait together for the loop's hand-out.
                writesBefore[0] = writeCalls();
                for (int i = 0; i < PUSHES; i++) {
                    sent.add(connection.send(message(i)));
                }
            }
        }).start();
        try (PipeClient client = PipeClient.builder(name).transport(Transport.UNIX_DOMAIN_SOCKETS).connect()) {
            client.send(new byte[] {1});
            for (int i = 0; i < PUSHES; i++) {
                assertArrayEquals(message(i), client.receive(TIMEOUT), "push " + i);
            }
            long writes = writeCalls() - writesBefore[0];
            CompletableFuture.allOf(sent.stream().map(CompletionStage::toCompletableFuture).toArray(CompletableFuture[]::new))
                    .get(TIMEOUT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
            // 2,000 frames of 4 + 64 bytes make about 136 KB: a few buffers. One write per message
            // would be 2,000; the bound leaves room for the JVM's own writes meanwhile.
            assertTrue(writes < PUSHES / 10, writes + " write calls for " + PUSHES + " messages");
        }
    }

    @Test
    void aBatchMixingMessagesLargerThanTheWriteBufferWithSmallOnesArrivesWholeAndInOrder() throws Exception {
        int[] sizes = {10, 300_000, 64, 64, 70_000, 1, 0, 5, 1_000_000, 3};
        server = PipeServer.builder(name).transport(Transport.UNIX_DOMAIN_SOCKETS).maxMessageSize(2_000_000)
                .maxQueuedBytes(4_000_000) // all ten are queued at once
                .connectionHandler(new ConnectionHandler() {
                    @Override
                    public void messageReceived(Connection connection, byte[] request) {
                        for (int i = 0; i < sizes.length; i++) {
                            connection.send(message(i, sizes[i]));
                        }
                    }
                }).start();
        try (PipeClient client = PipeClient.builder(name).transport(Transport.UNIX_DOMAIN_SOCKETS).maxMessageSize(2_000_000).connect()) {
            client.send(new byte[] {1});
            for (int i = 0; i < sizes.length; i++) {
                assertArrayEquals(message(i, sizes[i]), client.receive(TIMEOUT), "message " + i + " of " + sizes[i] + " bytes");
            }
        }
    }

    @Test
    void sendsMadeWhileEarlierOnesAreReportedWrittenFollowThemInOrder() throws Exception {
        int total = 5_000;
        server = PipeServer.builder(name).transport(Transport.UNIX_DOMAIN_SOCKETS).connectionHandler(new ConnectionHandler() {
            private int next;

            @Override
            public void messageReceived(Connection connection, byte[] request) {
                for (int i = 0; i < 16; i++) {
                    sendNext(connection);
                }
            }

            // Each completion runs on the server thread, while the hand-out that wrote its message
            // is still running: the send it makes must queue behind the messages still to be
            // handed out, not jump them. (UnixConnectionBatchTest drives the connection directly.)
            private void sendNext(Connection connection) {
                if (next < total) {
                    connection.send(message(next++)).thenRun(() -> sendNext(connection));
                }
            }
        }).start();
        try (PipeClient client = PipeClient.builder(name).transport(Transport.UNIX_DOMAIN_SOCKETS).connect()) {
            client.send(new byte[] {1});
            for (int i = 0; i < total; i++) {
                assertArrayEquals(message(i), client.receive(TIMEOUT), "push " + i);
            }
        }
    }

    @Test
    void aShutdownOfOutputAfterABatchComesAfterEveryMessageOfIt() throws Exception {
        server = PipeServer.builder(name).transport(Transport.UNIX_DOMAIN_SOCKETS).pipeType(io.pipekit.core.PipeType.BYTE)
                .streamHandler((connection, in, out) -> {
                    in.read();
                    for (int i = 0; i < 1_000; i++) {
                        out.write(message(i));
                    }
                }).start();
        try (PipeClient client = PipeClient.builder(name).transport(Transport.UNIX_DOMAIN_SOCKETS)
                .readMode(io.pipekit.core.ReadMode.BYTE).connect()) {
            client.outputStream().write(1);
            client.outputStream().flush();
            byte[] all = client.inputStream().readAllBytes(); // to the end of the stream the shutdown sends
            java.io.ByteArrayOutputStream expected = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < 1_000; i++) {
                expected.write(message(i));
            }
            assertArrayEquals(expected.toByteArray(), all);
        }
    }

    private static byte[] message(int i) {
        return message(i, 64);
    }

    /** A message that names its index in its first four bytes, so no two of a test's messages are equal. */
    private static byte[] message(int i, int size) {
        byte[] message = new byte[size];
        for (int b = 0; b < message.length; b++) {
            message[b] = b < 4 ? (byte) (i >>> (8 * b)) : (byte) (i * 31 + b);
        }
        return message;
    }

    /** Write-like system calls this process has made (Linux's per-process I/O accounting). */
    private static long writeCalls() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
                if (line.startsWith("syscw:")) {
                    return Long.parseLong(line.substring("syscw:".length()).trim());
                }
            }
        } catch (IOException e) {
            throw new AssertionError("/proc/self/io unreadable", e);
        }
        throw new AssertionError("/proc/self/io has no syscw line");
    }
}
