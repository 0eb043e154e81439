package io.pipekit.server.internal;

import io.pipekit.core.PipeException;
import io.pipekit.core.transport.ServerConnection;
import io.pipekit.core.transport.ServerLoop;
import io.pipekit.server.ClientInfo;
import java.lang.System.Logger.Level;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One client's conversation, the sample's routine chain: read a request, answer it, write the
 * answer, read again, until the client leaves. Transport-independent: it only sees a
 * {@link ServerConnection}, and runs on the loop thread.
 *
 * <p>A synchronous answer is written at once (the sample's {@code CompletedReadRoutine});
 * an asynchronous one is brought back to the loop thread with {@link ServerLoop#execute}.
 * A failed answer costs only this client its connection.
 */
public final class Session implements ServerConnection.Listener {
    private static final System.Logger LOG = System.getLogger("io.pipekit.server");

    private final ServerConnection connection;
    private final ServerLoop loop;
    private final Answerer answerer;
    private final ClientInfo client;
    private boolean closed;

    public Session(ServerConnection connection, ServerLoop loop, Answerer answerer) {
        this.connection = connection;
        this.loop = loop;
        this.answerer = answerer;
        this.client = new ClientInfo(connection.id(), connection.clientProcessId());
    }

    /** Starts the chain with the first read. */
    public void start() {
        connection.read();
    }

    @Override
    public void messageRead(byte[] request) {
        CompletionStage<byte[]> answer = answerer.answer(client, request);
        CompletableFuture<byte[]> done = answer.toCompletableFuture();
        if (done.isDone()) {
            Throwable failure = failureOf(done);
            reply(failure == null ? done.getNow(null) : null, failure);
        } else {
            answer.whenComplete((reply, failure) -> {
                // Back to the loop thread; if the server has stopped meanwhile, there is no one to answer.
                loop.execute(() -> reply(reply, failure));
            });
        }
    }

    private static Throwable failureOf(CompletableFuture<byte[]> done) {
        if (!done.isCompletedExceptionally()) {
            return null;
        }
        try {
            done.join();
            return null;
        } catch (RuntimeException e) {
            return e.getCause() != null ? e.getCause() : e;
        }
    }

    private void reply(byte[] reply, Throwable failure) {
        if (closed) {
            return;
        }
        if (failure == null && reply == null) {
            failure = new NullPointerException("the handler answered null");
        }
        if (failure != null) {
            LOG.log(Level.WARNING, "handler failed for client " + client.connectionId() + " (pid " + client.processId()
                    + "); closing its connection", failure);
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
            LOG.log(Level.INFO, "client " + client.connectionId() + " disconnected: " + cause.getMessage());
        }
    }
}
