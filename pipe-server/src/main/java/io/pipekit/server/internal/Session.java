package io.pipekit.server.internal;

import io.pipekit.core.PipeException;
import io.pipekit.core.transport.ServerConnection;
import io.pipekit.server.ClientInfo;
import java.lang.System.Logger.Level;

/**
 * One client's conversation, the sample's routine chain: read a request, answer it, write the
 * answer, read again, until the client leaves. Transport-independent: it only sees a
 * {@link ServerConnection}, and runs on the loop thread.
 *
 * <p>A synchronous answer is written at once (the sample's {@code CompletedReadRoutine});
 * an asynchronous one is brought back to the loop thread first (see {@link Answerer}).
 * A failed answer costs only this client its connection.
 */
public final class Session implements ServerConnection.Listener {
    private static final System.Logger LOG = System.getLogger("io.pipekit.server");

    private final ServerConnection connection;
    private final Answerer answerer;
    private final ClientInfo client;
    private final Answerer.Done done = this::reply; // made once: answering allocates nothing per message
    private boolean closed;

    public Session(ServerConnection connection, Answerer answerer) {
        this.connection = connection;
        this.answerer = answerer;
        this.client = new ConnectedClient(connection.id(), connection.clientIdentity(), connection.canRunAsClient(), connection::runAsClient);
    }

    /** Starts the chain with the first read. */
    public void start() {
        connection.read();
    }

    @Override
    public void messageRead(byte[] request) {
        answerer.answer(client, request, done);
    }

    private void reply(byte[] reply, Throwable failure) {
        if (closed) {
            return;
        }
        if (failure == null && reply == null) {
            failure = new NullPointerException("the handler answered null");
        }
        if (failure != null) {
            LOG.log(Level.WARNING, "handler failed for " + client + "; closing its connection", failure);
            connection.close();
            return;
        }
        connection.write(reply);
    }

    @Override
    public void messageWritten() {
        connection.read();
    }

    @Override
    public void closed(PipeException cause) {
        closed = true;
        if (cause != null) {
            // The transport has logged the cause as the client's one line; this is for debugging.
            LOG.log(Level.DEBUG, "client " + client.id() + " disconnected: " + cause.getMessage());
        }
    }
}
