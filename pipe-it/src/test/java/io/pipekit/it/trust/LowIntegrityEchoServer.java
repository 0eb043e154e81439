package io.pipekit.it.trust;

import io.pipekit.core.MessageCodecs;
import io.pipekit.core.PeerIdentity;
import io.pipekit.server.PipeServer;
import io.pipekit.server.RequestHandler;

/**
 * The squatter of {@link LowIntegrityServerTest}: an echo server, run by the test in a process
 * of its own whose token was lowered to {@code LOW}. It prints the integrity level its own token
 * reports, then {@code listening}, and serves until the test terminates it.
 */
public final class LowIntegrityEchoServer {
    private LowIntegrityEchoServer() {
    }

    public static void main(String[] args) throws Exception {
        PeerIdentity own = PeerIdentity.currentProcess();
        try (PipeServer server = PipeServer.builder(args[0])
                .handler(RequestHandler.using(MessageCodecs.utf8(), (client, request) -> request))
                .start()) {
            System.out.println("integrity=" + own.integrityLevel().orElse(null) + " sid=" + own.sid().orElse(null));
            System.out.println("listening");
            System.out.flush();
            server.awaitTermination();
        }
    }
}
