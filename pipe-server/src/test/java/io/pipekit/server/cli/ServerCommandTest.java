package io.pipekit.server.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.client.PipeClient;
import io.pipekit.core.MessageCodecs;
import io.pipekit.core.ReadMode;
import io.pipekit.server.PipeServer;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The options of {@code pipe-server}, as the builder they configure starts with them. */
class ServerCommandTest {
    private final String name = "pipekit-test-" + UUID.randomUUID();

    private PipeServer.Builder configured(String... args) {
        ServerCommand command = new ServerCommand();
        new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args);
        return command.configure();
    }

    /**
     * Issue 25: {@code --max-instances 1} alone was refused ("listeningInstances must be
     * 1..maxInstances (1), got 4"): the default listening count must yield to it.
     */
    @Test
    void maxInstancesOfOneAloneStarts() throws Exception {
        try (PipeServer server = configured("--name", name, "--max-instances", "1", "--quiet").start();
                PipeClient client = PipeClient.builder(name).connectTimeout(Duration.ofSeconds(30)).connect()) {
            assertEquals(ServerCommand.DEFAULT_ANSWER, client.transact(MessageCodecs.utf16le(), "hello"));
        }
    }

    @Test
    void anExplicitListeningCountAboveMaxInstancesIsStillRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> configured("--name", name, "--max-instances", "1", "--listening", "2").start());
        assertTrue(e.getMessage().contains("listeningInstances"), e.getMessage());
    }

    /**
     * Issue 25, defect A: {@code --mode byte --raw} set a request handler on a byte-type pipe,
     * which start() now refuses; it is a stream echo, and stays one.
     */
    @Test
    void rawByteModeIsAStreamEcho() throws Exception {
        byte[] sent = new byte[100_000];
        new java.util.Random(7).nextBytes(sent);
        try (PipeServer server = configured("--name", name, "--mode", "byte", "--raw").start();
                PipeClient client = PipeClient.builder(name).readMode(ReadMode.BYTE).connectTimeout(Duration.ofSeconds(30))
                        .receiveTimeout(Duration.ofSeconds(30)).connect()) {
            client.outputStream().write(sent);
            assertArrayEquals(sent, client.inputStream().readNBytes(sent.length));
        }
    }
}
