package io.pipekit.server;

import io.pipekit.core.PeerIdentity;
import io.pipekit.server.internal.ConnectedClient;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * Who a request comes from, as a handler sees it: the connection's number and the client's
 * identity, read once when it connected, and a way to act as the client.
 *
 * <p>pipekit implements this interface and hands it to your handlers; it is not meant to be
 * implemented outside pipekit. To test a handler, make one with {@link #of(long, PeerIdentity)}.
 * Later releases may add methods to it.
 */
public interface ClientInfo {

    /**
     * A number unique among this server's connections, for logs (the sample logs the pipe
     * instance handle for the same purpose); the same as {@link Connection#id()}.
     */
    long id();

    /** Who the client is, as the operating system vouches for it, read once when it connected. */
    PeerIdentity peer();

    /**
     * Runs {@code work} on the calling thread in the client's security context (Windows
     * impersonation) and reverts afterwards, whether it returns or throws: for opening a file or
     * checking access as the client. See {@link Connection#runAsClient} for what it can and cannot
     * do. In short: any thread may call it, the server's own (in the handler) included, and the
     * impersonation is on that thread only; the client's token is opened when it connects and
     * closed when its connection closes, after which this throws {@link IllegalStateException}, so
     * work that outlives the connection (an {@link AsyncRequestHandler}'s late stage) may find it
     * gone.
     *
     * @throws UnsupportedOperationException on Unix sockets, which have no impersonation (decide
     *     from {@link #peer()} instead), and for a {@code ClientInfo} made by hand with
     *     {@link #of(long, PeerIdentity)}
     * @throws IllegalStateException if the client's token could not be read, or its connection is closed
     * @throws Exception what {@code work} throws
     */
    <T> T runAsClient(Callable<T> work) throws Exception;

    /**
     * Whether {@link #runAsClient} can act as this client: true on Windows named pipes, false on
     * Unix domain sockets (no impersonation) and for a {@code ClientInfo} made by hand with
     * {@link #of(long, PeerIdentity)}, where it throws {@link UnsupportedOperationException}. True
     * does not promise success: the client's token may have been unreadable when it connected, or
     * its connection closed since, and then {@code runAsClient} throws {@link IllegalStateException}.
     */
    boolean canRunAsClient();

    /** The client of a driven connection: {@link #runAsClient} impersonates it. */
    static ClientInfo of(Connection connection) {
        Objects.requireNonNull(connection, "connection");
        return new ConnectedClient(connection.id(), connection.peer(), connection.canRunAsClient(), connection::runAsClient);
    }

    /** A client made by hand, for testing a handler: {@link #runAsClient} is not supported. */
    static ClientInfo of(long id, PeerIdentity peer) {
        return ConnectedClient.unconnected(id, Objects.requireNonNull(peer, "peer"));
    }
}
