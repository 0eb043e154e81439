package io.pipekit.it.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pipekit.client.PipeClient;
import io.pipekit.core.MessageCodecs;
import io.pipekit.it.ChildProcess;
import io.pipekit.server.Connection;
import io.pipekit.server.ConnectionHandler;
import io.pipekit.server.PipeServer;
import io.pipekit.server.ServerConnections;
import io.pipekit.server.RequestHandler;
import io.pipekit.testing.WindowsOnly;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** pipekit's server and client against the documented C sample's server and client, both ways. */
@WindowsOnly
class JavaAndCSampleTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final String name = "pipekit-interop-" + UUID.randomUUID();

    @Test
    void cSampleClientIsAnsweredByTheJavaServer() throws Exception {
        ConcurrentLinkedQueue<String> requests = new ConcurrentLinkedQueue<>();
        try (PipeServer server = PipeServer.builder(name)
                .handler(RequestHandler.using(MessageCodecs.tcharText(), (client, request) -> {
                    requests.add(request);
                    return "Default answer from server";
                }))
                .start();
             ChildProcess client = ChildProcess.cPeer("sample-client.exe", name)) {

            assertEquals(0, client.awaitExit(TIMEOUT), () -> "the C client failed: " + client.output());
            assertEquals("reply: Default answer from server", client.awaitLine(l -> l.startsWith("reply:"), TIMEOUT));
            assertEquals("Default message from client.", requests.peek());
        }
    }

    @Test
    void cClientHearsWhatTheJavaServerPushesUnasked() throws Exception {
        try (PipeServer server = PipeServer.builder(name).connectionHandler(new ConnectionHandler() {
                    @Override
                    public void connected(Connection connection) {
                        connection.send(MessageCodecs.tcharText().encode("pushed on connect"));
                    }

                    @Override
                    public void messageReceived(Connection connection, byte[] message) {
                    }
                }).start();
             ChildProcess client = ChildProcess.cPeer("listen-client.exe", name, "2")) {
            client.awaitLine(l -> l.startsWith("listening on"), TIMEOUT);
            // And once more, later, from this thread.
            ServerConnections.await(server, 1, TIMEOUT).get(0).send(MessageCodecs.tcharText().encode("pushed from another thread"))
                    .toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

            assertEquals(0, client.awaitExit(TIMEOUT), () -> "the C client failed: " + client.output());
            assertEquals(List.of("message: pushed on connect", "message: pushed from another thread"),
                    client.output().subList(1, client.output().size()));
        }
    }

    @Test
    void javaClientIsAnsweredByTheCSampleServer() throws Exception {
        try (ChildProcess server = ChildProcess.cPeer("sample-server.exe", name)) {
            server.awaitLine(l -> l.startsWith("listening on"), TIMEOUT);
            try (PipeClient client = PipeClient.builder(name).connectTimeout(TIMEOUT).connect()) {
                assertEquals("Default answer from server", client.transact(MessageCodecs.tcharText(), "Hello from Java"));
                // send and receive as well as transact: the sample's chain answers each message
                client.send(MessageCodecs.tcharText(), "and again");
                assertEquals("Default answer from server", client.receive(MessageCodecs.tcharText()));
            }
            server.awaitLine(l -> l.endsWith("] Hello from Java"), TIMEOUT);
            server.awaitLine(l -> l.endsWith("] and again"), TIMEOUT);
        }
    }
}
