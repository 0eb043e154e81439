package io.pipekit.examples;

import io.pipekit.client.PipeClient;
import io.pipekit.core.MessageCodecs;
import io.pipekit.core.PipeException;
import io.pipekit.server.PipeServer;
import io.pipekit.server.RequestHandler;

/**
 * An echo server: every request comes back as its answer. The sample's design: one thread, every
 * client, whole messages.
 *
 * <p>Run: {@code EchoServer <name>} serves until stopped; {@code EchoServer <name> <text>} asks it.
 */
public final class EchoServer {

    /** Serves {@code name}, answering each message with itself. */
    public static PipeServer serve(String name) throws PipeException {
        return PipeServer.builder(name)
                .handler(RequestHandler.using(MessageCodecs.utf8(), (client, request) -> request))
                .start();
    }

    /** Sends {@code text} to the echo server at {@code name} and returns its answer. */
    public static String ask(String name, String text) throws PipeException {
        try (PipeClient client = PipeClient.connect(name)) {
            return client.transact(MessageCodecs.utf8(), text);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 1) {
            System.out.println(ask(args[0], args[1]));
            return;
        }
        try (PipeServer server = serve(args[0])) {
            System.out.println("echoing on " + server.endpoint());
            server.awaitTermination();
        }
    }

    private EchoServer() {
    }
}
