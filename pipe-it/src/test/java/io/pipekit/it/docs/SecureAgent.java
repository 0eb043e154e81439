package io.pipekit.it.docs;

import io.pipekit.client.PipeClient;
import io.pipekit.core.MessageCodecs;
import io.pipekit.core.PeerIdentity;
import io.pipekit.core.PipeException;
import io.pipekit.core.ServerTrust;
import io.pipekit.server.PipeServer;
import io.pipekit.server.RequestHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * The examples of docs/security.md: a server that admits an allow-list of users and reads what
 * a client names with the client's rights, and clients that say which server user they trust.
 * Quoted from here and run by {@link DocExamplesTest} on the host and under Wine.
 */
public final class SecureAgent {

    /** Whether {@code client}'s user, its SID on Windows or its uid on Unix, is in {@code allowed}. */
    static boolean allowed(PeerIdentity client, Set<String> allowed) {
        String user = client.sid().orElse(client.uid().isPresent() ? Long.toString(client.uid().getAsLong()) : null);
        return user != null && allowed.contains(user);   // the user, never the pid: pids are reused
    }

    /** Serves {@code name} to the users in {@code allowedUsers} only, answering each with who it is. */
    public static PipeServer serveAllowList(String name, Set<String> allowedUsers) throws PipeException {
        return PipeServer.builder(name)
                .admission(client -> allowed(client, allowedUsers))
                .handler(RequestHandler.using(MessageCodecs.utf8(), (client, request) -> client.peer().describe()))
                .start();
    }

    /** Serves {@code name}: each request names a file, and the answer is its size, read as the client (Windows). */
    public static PipeServer serveFileSizesAsTheClient(String name) throws PipeException {
        return PipeServer.builder(name)
                .handler(RequestHandler.using(MessageCodecs.utf8(), (client, path) -> {
                    try {
                        // Read here, on this thread: impersonation does not cross to another one.
                        long size = client.runAsClient(() -> (long) Files.readAllBytes(Path.of(path)).length);
                        return Long.toString(size);
                    } catch (Exception refused) {
                        return "refused: " + refused.getMessage();
                    }
                }))
                .start();
    }

    /** Asks the file-size server as a client that lets it act in its name. */
    public static String fileSize(String name, String path) throws PipeException {
        try (PipeClient client = PipeClient.builder(name).allowImpersonation().connect()) {
            return client.transact(MessageCodecs.utf8(), path);
        }
    }

    /** Connects to a service that runs as this user or as {@code serviceAccount}, and to no squatter. */
    public static PipeClient connectToService(String name, String serviceAccount) throws PipeException {
        return PipeClient.builder(name)
                .serverTrust(ServerTrust.currentUser().orUser(serviceAccount))
                .connect();
    }

    /** Connects to a service that must run as LocalSystem: no other account, not even this user's own processes. */
    public static PipeClient connectToSystemService(String name) throws PipeException {
        return PipeClient.builder(name)
                .serverTrust(ServerTrust.system())
                .connect();
    }

    private SecureAgent() {
    }
}
