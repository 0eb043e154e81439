package io.pipekit.server;

import io.pipekit.core.PeerIdentity;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * Who a request comes from, as a handler sees it: the connection's number and the client's
 * identity, read once when it connected, and a way to act as the client.
 */
public interface ClientInfo {

    /** A number unique among this server's connections, for logs (the sample logs the pipe instance handle for the same purpose). */
    long connectionId();

    /** Who the client is, as the operating system vouches for it. */
    PeerIdentity identity();

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
        return new ClientInfo() {
            @Override
            public long connectionId() {
                return connection.id();
            }

            @Override
            public PeerIdentity identity() {
                return connection.clientIdentity();
            }

            @Override
            public <T> T runAsClient(Callable<T> work) throws Exception {
                return connection.runAsClient(work);
            }

            @Override
            public String toString() {
                return "client " + connection.id() + " (" + connection.clientIdentity() + ")";
            }
        };
    }

    /** A client made by hand, for testing a handler: {@link #runAsClient} is not supported. */
    static ClientInfo of(long connectionId, PeerIdentity identity) {
        Objects.requireNonNull(identity, "identity");
        return new ClientInfo() {
            @Override
            public long connectionId() {
                return connectionId;
            }

            @Override
            public PeerIdentity identity() {
                return identity;
            }

            @Override
            public <T> T runAsClient(Callable<T> work) {
                throw new UnsupportedOperationException("this ClientInfo was made by hand: it has no client to impersonate");
            }

            @Override
            public String toString() {
                return "client " + connectionId + " (" + identity + ")";
            }
        };
    }
}
