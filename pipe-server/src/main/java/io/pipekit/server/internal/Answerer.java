package io.pipekit.server.internal;

import io.pipekit.server.AsyncRequestHandler;
import io.pipekit.server.ClientInfo;
import io.pipekit.server.RequestHandler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The one shape both handler kinds take inside the server: a request in, a stage of the
 * reply out. A synchronous handler's stage is already complete when it is returned.
 */
@FunctionalInterface
public interface Answerer {
    CompletionStage<byte[]> answer(ClientInfo client, byte[] request);

    static Answerer of(RequestHandler handler) {
        return (client, request) -> {
            try {
                return CompletableFuture.completedFuture(handler.answer(client, request));
            } catch (Exception e) {
                return CompletableFuture.failedFuture(e);
            }
        };
    }

    static Answerer of(AsyncRequestHandler handler) {
        return (client, request) -> {
            try {
                CompletionStage<byte[]> stage = handler.answer(client, request);
                return stage != null ? stage : CompletableFuture.failedFuture(new NullPointerException("the handler returned no stage"));
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        };
    }
}
