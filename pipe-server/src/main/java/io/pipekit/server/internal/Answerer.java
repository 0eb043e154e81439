package io.pipekit.server.internal;

import io.pipekit.server.AsyncRequestHandler;
import io.pipekit.server.ClientInfo;
import io.pipekit.server.RequestHandler;
import io.pipekit.core.transport.ServerLoop;
import java.util.concurrent.CompletionStage;

/**
 * The one shape both handler kinds take inside the server: a request in, and later exactly
 * one call of {@link Done} on the loop thread. A synchronous handler calls it before
 * {@link #answer} returns, allocating nothing; an asynchronous one when its stage completes,
 * brought back to the loop thread with {@link ServerLoop#execute}.
 */
@FunctionalInterface
public interface Answerer {

    /** Receives the answer (or the failure) on the loop thread. */
    @FunctionalInterface
    interface Done {
        void answered(byte[] reply, Throwable failure);
    }

    void answer(ClientInfo client, byte[] request, Done done);

    static Answerer of(RequestHandler handler) {
        return (client, request, done) -> {
            byte[] reply;
            try {
                reply = handler.answer(client, request);
            } catch (Exception e) {
                done.answered(null, e);
                return;
            }
            done.answered(reply, null);
        };
    }

    static Answerer of(AsyncRequestHandler handler, ServerLoop loop) {
        return (client, request, done) -> {
            CompletionStage<byte[]> stage;
            try {
                stage = handler.answer(client, request);
            } catch (Exception e) {
                done.answered(null, e);
                return;
            }
            if (stage == null) {
                done.answered(null, new NullPointerException("the handler returned no stage"));
                return;
            }
            // If the server has stopped by the time the stage completes, there is no one to answer.
            stage.whenComplete((reply, failure) -> loop.execute(() -> done.answered(reply, unwrap(failure))));
        };
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}
