package io.pipekit.server.internal;

import io.pipekit.core.PeerIdentity;
import io.pipekit.server.ClientInfo;
import java.util.concurrent.Callable;

/**
 * The one {@link ClientInfo} implementation: a connection's number and identity, read once, and
 * where {@link #runAsClient} goes (the connection's own, or nowhere for a client made by hand).
 */
public final class ConnectedClient implements ClientInfo {

    /** Runs work as the client: a connection's {@code runAsClient}. */
    @FunctionalInterface
    public interface AsClient {
        <T> T run(Callable<T> work) throws Exception;
    }

    private static final AsClient NOBODY = ConnectedClient::unsupported;

    private final long connectionId;
    private final PeerIdentity identity;
    private final boolean canRunAsClient;
    private final AsClient asClient;

    public ConnectedClient(long connectionId, PeerIdentity identity, boolean canRunAsClient, AsClient asClient) {
        this.connectionId = connectionId;
        this.identity = identity;
        this.canRunAsClient = canRunAsClient;
        this.asClient = asClient;
    }

    /** A client made by hand, for testing a handler: nobody to impersonate. */
    public static ConnectedClient unconnected(long connectionId, PeerIdentity identity) {
        return new ConnectedClient(connectionId, identity, false, NOBODY);
    }

    @Override
    public long id() {
        return connectionId;
    }

    @Override
    public PeerIdentity peer() {
        return identity;
    }

    @Override
    public boolean canRunAsClient() {
        return canRunAsClient;
    }

    @Override
    public <T> T runAsClient(Callable<T> work) throws Exception {
        return asClient.run(work);
    }

    private static <T> T unsupported(Callable<T> work) {
        throw new UnsupportedOperationException("this ClientInfo was made by hand: it has no client to impersonate");
    }

    @Override
    public String toString() {
        return "client " + connectionId + " (" + identity + ")";
    }
}
