package io.pipekit.examples;

import io.pipekit.client.PipeClient;
import io.pipekit.core.MessageCodecs;
import io.pipekit.core.PipeException;
import io.pipekit.core.ServerTrust;
import io.pipekit.core.UntrustedServerException;

/**
 * A client that insists on a system service: it talks only to a server running as
 * {@code LocalSystem} on Windows (root on Unix), so that a process of any other user, the
 * client's own included, that took the name first is refused before a byte is sent.
 *
 * <p>Run: {@code SystemServiceClient <name> <request>}.
 */
public final class SystemServiceClient {

    /** Sends {@code request} to the system service at {@code name} and returns its answer. */
    public static String ask(String name, String request) throws PipeException {
        try (PipeClient service = PipeClient.builder(name).serverTrust(ServerTrust.system()).connect()) {
            return service.transact(MessageCodecs.utf8(), request);
        }
    }

    public static void main(String[] args) throws Exception {
        try {
            System.out.println(ask(args[0], args[1]));
        } catch (UntrustedServerException squatter) {
            System.err.println("not the system service: " + squatter.getMessage());
            System.exit(2);
        }
    }

    private SystemServiceClient() {
    }
}
