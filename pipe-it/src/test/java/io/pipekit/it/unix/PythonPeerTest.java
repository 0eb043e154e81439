package io.pipekit.it.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pipekit.core.MessageCodecs;
import io.pipekit.it.ChildProcess;
import io.pipekit.server.Connection;
import io.pipekit.server.PipeServer;
import io.pipekit.server.ServerConnections;
import io.pipekit.server.RequestHandler;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** A Python client written from docs/protocol.md alone round-trips with the Java server. */
@EnabledOnOs({OS.LINUX, OS.MAC})
class PythonPeerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final String name = "pipekit-python-" + UUID.randomUUID();

    @Test
    void pythonClientIsAnsweredInTheSamplesFormat() throws Exception {
        try (PipeServer server = PipeServer.builder(name)
                .handler(RequestHandler.using(MessageCodecs.tcharText(), (client, request) -> "Default answer from server"))
                .start();
             ChildProcess python = ChildProcess.pythonClient("--name", name, "first", "second")) {
            assertEquals(0, python.awaitExit(TIMEOUT), () -> "the Python client failed: " + python.output());
            assertEquals(List.of("Default answer from server", "Default answer from server"), python.output());
        }
    }

    @Test
    void pythonClientHearsWhatTheServerPushesUnasked() throws Exception {
        try (PipeServer server = PipeServer.builder(name).connectionHandler((connection, message) -> { }).start();
             ChildProcess python = ChildProcess.pythonClient("--name", name, "--encoding", "utf-8", "--listen", "2")) {
            python.awaitLine("listening"::equals, TIMEOUT);
            for (Connection connection : ServerConnections.await(server, 1, TIMEOUT)) {
                connection.send(MessageCodecs.utf8().encode("pushed"));
                connection.send(MessageCodecs.utf8().encode("and pushed again"));
            }
            assertEquals(0, python.awaitExit(TIMEOUT), () -> "the Python client failed: " + python.output());
            assertEquals(List.of("listening", "pushed", "and pushed again"), python.output());
        }
    }

    @Test
    void pythonClientRoundTripsNonAsciiTextInUtf8() throws Exception {
        try (PipeServer server = PipeServer.builder(name)
                .handler(RequestHandler.using(MessageCodecs.utf8(), (client, request) -> "echo: " + request))
                .start();
             ChildProcess python = ChildProcess.pythonClient("--name", name, "--encoding", "utf-8", "ação 𝄞")) {
            assertEquals(0, python.awaitExit(TIMEOUT), () -> "the Python client failed: " + python.output());
            assertEquals(List.of("echo: ação 𝄞"), python.output());
        }
    }

    /**
     * Issue 24, defect 5: 1,000 clients that connect without blocking, all at once, as Python's,
     * Go's and Node's do, are all served. The listen backlog was {@code listeningInstances} (4):
     * 6 of 1,000 connected, the rest got EAGAIN.
     */
    @Test
    void thousandNonBlockingConnectsAtOnceAreAllAnswered() throws Exception {
        try (PipeServer server = PipeServer.builder(name).handler((client, request) -> request).start();
             ChildProcess python = ChildProcess.pythonClient("--name", name, "--encoding", "utf-8", "--burst", "1000")) {
            assertEquals(0, python.awaitExit(TIMEOUT), () -> "the Python burst failed: " + python.output());
            assertEquals(List.of("connected 1000 of 1000", "answered 1000 of 1000"), python.output());
        }
    }
}
