package io.pipekit.it.docs;

import io.pipekit.client.PipeClient;
import io.pipekit.core.MessageCodecs;
import io.pipekit.core.PipeException;
import io.pipekit.server.PipeServer;
import io.pipekit.server.RequestHandler;

/**
 * The example of the README and of docs/tutorial.md ("Use it"), quoted from here and run by
 * {@link DocExamplesTest} on the host and under Wine, so that the docs' first example always
 * compiles and works.
 */
public final class Hello {
    public static void main(String[] args) throws Exception {
        String name = args.length > 0 ? args[0] : "mynamedpipe";      // \\.\pipe\mynamedpipe on Windows
        System.out.println(roundTrip(name));
    }

    /** Serves the sample's answer on {@code name} and asks it the sample's question. */
    static String roundTrip(String name) throws PipeException {
        try (PipeServer server = PipeServer.builder(name)
                .handler(RequestHandler.using(MessageCodecs.utf16le(), (client, request) -> "Default answer from server"))
                .start();                                             // returns once the pipe is served
             PipeClient client = PipeClient.connect(name)) {          // retries for up to 5 s
            return client.transact(MessageCodecs.utf16le(), "Default message from client.");
        }
    }
}
