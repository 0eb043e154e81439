package io.pipekit.server;

import java.util.concurrent.CompletionStage;

/**
 * Answers a request later, from any thread: the returned stage's result is handed back to
 * the server thread (with {@code QueueUserAPC} on Windows) and written there. While a stage
 * is pending, the server keeps serving every other client; this client's next request is
 * not read until its answer is written.
 *
 * <p>If it throws, or the stage completes exceptionally, that client's connection is closed
 * and the failure logged.
 */
@FunctionalInterface
public interface AsyncRequestHandler {
    /** A stage that completes with the whole reply message. Called on the server thread. */
    CompletionStage<byte[]> answer(ClientInfo client, byte[] request);
}
