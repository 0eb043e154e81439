package io.pipekit.server.internal;

import io.pipekit.core.PeerIdentity;
import io.pipekit.core.transport.ServerConnection;
import io.pipekit.server.ClientInfo;
import java.util.concurrent.Callable;

/** The {@link ClientInfo} of a request/answer session: the transport's connection, as a handler sees it. */
final class SessionClient implements ClientInfo {
    private final ServerConnection connection;

    SessionClient(ServerConnection connection) {
        this.connection = connection;
    }

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
}
