package io.pipekit.server;

import io.pipekit.core.PeerIdentity;
import io.pipekit.core.transport.ServerConnection;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * Who a request comes from, as a handler sees it: the connection's number and the client's
 * identity, read once when it connected.
 */
public final class ClientInfo {
    private final long connectionId;
    private final PeerIdentity identity;
    private final AsClient asClient; // null: made by hand, nothing to impersonate

    /** Where {@link #runAsClient} goes: a connection's own. */
    private interface AsClient {
        <T> T run(Callable<T> work) throws Exception;
    }

    /**
     * A client made by hand, for testing a handler: {@link #runAsClient} is not supported.
     *
     * @param connectionId a number unique among a server's connections, for logs (the sample
     *     logs the pipe instance handle for the same purpose)
     * @param identity who the client is
     */
    public ClientInfo(long connectionId, PeerIdentity identity) {
        this(connectionId, identity, null);
    }

    private ClientInfo(long connectionId, PeerIdentity identity, AsClient asClient) {
        this.connectionId = connectionId;
        this.identity = Objects.requireNonNull(identity, "identity");
        this.asClient = asClient;
    }

    /** The client of a transport's connection, which {@link #runAsClient} impersonates. */
    public static ClientInfo of(ServerConnection connection) {
        return new ClientInfo(connection.id(), connection.clientIdentity(), connection::runAsClient);
    }

    /** The client of a driven connection, which {@link #runAsClient} impersonates. */
    public static ClientInfo of(Connection connection) {
        return new ClientInfo(connection.id(), connection.clientIdentity(), connection::runAsClient);
    }

    /** A number unique among this server's connections, for logs. */
    public long connectionId() {
        return connectionId;
    }

    /** Who the client is, as the operating system vouches for it. */
    public PeerIdentity identity() {
        return identity;
    }

    /**
     * Runs {@code work} on this thread in the client's security context (Windows impersonation)
     * and reverts afterwards, whether it returns or throws: for opening a file or checking
     * access as the client. See {@link Connection#runAsClient} for what it can and cannot do.
     *
     * @throws UnsupportedOperationException on Unix sockets, which have no impersonation
     */
    public <T> T runAsClient(Callable<T> work) throws Exception {
        if (asClient == null) {
            throw new UnsupportedOperationException("this ClientInfo was made by hand: it has no client to impersonate");
        }
        return asClient.run(work);
    }

    @Override
    public String toString() {
        return "client " + connectionId + " (" + identity + ")";
    }
}
