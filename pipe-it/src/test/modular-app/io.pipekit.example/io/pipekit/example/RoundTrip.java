package io.pipekit.example;

import io.pipekit.client.PipeClient;
import io.pipekit.core.MessageCodecs;
import io.pipekit.core.PeerIdentity;
import io.pipekit.server.PipeServer;
import io.pipekit.server.RequestHandler;

/**
 * Serves the pipe named by its argument, round-trips one request through it, and prints the
 * answer and who served it: the process id is known where the JVM lets pipekit read the socket's
 * peer credentials ({@code --add-exports java.base/sun.nio.ch=io.pipekit.core}).
 */
public final class RoundTrip {
    public static void main(String[] args) throws Exception {
        try (PipeServer server = PipeServer.builder(args[0])
                .handler(RequestHandler.using(MessageCodecs.utf8(), (client, request) -> "modular " + request))
                .start();
             PipeClient client = PipeClient.connect(args[0])) {
            System.out.println(client.transact(MessageCodecs.utf8(), "hello") + (server.isRunning() ? "" : " (server stopped)"));
            PeerIdentity servedBy = client.server();
            System.out.println("served by pid " + (servedBy.processId().isPresent() ? servedBy.processId().getAsLong() : "unknown"));
        }
    }
}
