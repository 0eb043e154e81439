package io.pipekit.examples;

import io.pipekit.client.PipeClient;
import io.pipekit.core.MessageCodecs;
import io.pipekit.core.PipeException;
import io.pipekit.server.Admission;
import io.pipekit.server.ClientInfo;
import io.pipekit.server.PipeServer;
import io.pipekit.server.RequestHandler;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Refuse other users, and act as the client: a server that only its own user may use, which
 * reads the files a client names with that client's rights, never its own. On Windows the reading
 * runs impersonating the client ({@code runAsClient}), so a file the client may not read is
 * refused even if the server could read it. Unix sockets have no impersonation; there the
 * admission alone guarantees that client and server are the same user, with the same rights.
 *
 * <p>Run: {@code FileSizeServer <name>} serves until stopped; {@code FileSizeServer <name> <file>} asks it.
 */
public final class FileSizeServer {

    /** Serves {@code name} to this process's own user only: each request names a file, the answer is its size. */
    public static PipeServer serve(String name) throws PipeException {
        return PipeServer.builder(name)
                .admission(Admission.sameUser())
                .handler(RequestHandler.using(MessageCodecs.utf8(), (client, file) -> Long.toString(sizeAs(client, Path.of(file)))))
                .start();
    }

    private static long sizeAs(ClientInfo client, Path file) throws Exception {
        if (!client.canRunAsClient()) {
            return Files.size(file); // Unix sockets: same user, admitted as such: the same rights
        }
        // On this thread, inside the call: impersonation does not follow work to another thread.
        return client.runAsClient(() -> Files.size(file));
    }

    /** Asks the server at {@code name} for the size of {@code file}, letting it act in this client's name. */
    public static long sizeOf(String name, Path file) throws PipeException {
        try (PipeClient client = PipeClient.builder(name).allowImpersonation().connect()) {
            return Long.parseLong(client.transact(MessageCodecs.utf8(), file.toString()));
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 1) {
            System.out.println(sizeOf(args[0], Path.of(args[1])));
            return;
        }
        try (PipeServer server = serve(args[0])) {
            System.out.println("serving file sizes on " + server.endpoint());
            server.awaitTermination();
        }
    }

    private FileSizeServer() {
    }
}
