package io.pipekit.server;

import io.pipekit.core.PeerIdentity;
import io.pipekit.server.internal.ConnectedClient;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * Who a request comes from, as a handler sees it: the connection's number and the client's
 * identity, read once when it connected, and a way to act as the client.
 */
public interface ClientInfo {

    /** A number unique among this server's connections, for logs (the sample logs the pipe instance handle for the same purpose). */
    long id();

    /** Who the client is, as the operating system vouches for it. */
    PeerIdentity peer();

    /**
     * Runs {@code work} on this thread in the client's security context (Windows impersonation)
     * and reverts afterwards, whether it returns or throws: for opening a file or checking
     * access as the client. See {@link Connection#runAsClient} for what it can and cannot do.
     *
     * @throws UnsupportedOperationException on Unix sockets, which have no impersonation
     */
    <T> T runAsClient(Callable<T> work) throws Exception;

    /** The client of a driven connection: {@link #runAsClient} impersonates it. */
    static ClientInfo of(Connection connection) {
        Objects.requireNonNull(connection, "connection");
        return new ConnectedClient(connection.id(), connection.peer(), connection::runAsClient);
    }

    /** A client made by hand, for testing a handler: {@link #runAsClient} is not supported. */
    static ClientInfo of(long id, PeerIdentity peer) {
        return ConnectedClient.unconnected(id, Objects.requireNonNull(peer, "peer"));
    }
}
