package io.pipekit.server;

import io.pipekit.core.MessageCodec;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Answers a request later, from any thread: the returned stage's result is handed back to
 * the server thread (with {@code QueueUserAPC} on Windows) and written there. While a stage
 * is pending, the server keeps serving every other client; this client's next request is
 * not read until its answer is written.
 *
 * <p>If it throws (a checked exception included), or the stage completes exceptionally, that
 * client's connection is closed and the failure logged; the server and its other clients carry on,
 * as with a {@link RequestHandler}. Message-type pipes only, as a {@link RequestHandler}.
 */
@FunctionalInterface
public interface AsyncRequestHandler {
    /**
     * A stage that completes with the whole reply message to the whole request message. Called on
     * the server thread, so it should only start the work. A throw costs this client its connection.
     */
    CompletionStage<byte[]> answer(ClientInfo client, byte[] request) throws Exception;

    /**
     * An asynchronous answer on decoded values: see
     * {@link AsyncRequestHandler#using(MessageCodec, MessageCodec, Typed)}.
     *
     * @param <Q> the type of the requests
     * @param <R> the type of the replies
     */
    @FunctionalInterface
    public interface Typed<Q, R> {
        /**
         * A stage that completes with the reply to {@code request}. Called on the server thread,
         * so it should only start the work. A throw, or a stage that completes exceptionally,
         * costs this client its connection.
         */
        CompletionStage<R> answer(ClientInfo client, Q request) throws Exception;
    }

    /**
     * A handler working on values: each request is decoded with {@code requests} (on the server
     * thread), answered by {@code answer}, and its stage's result encoded with {@code replies} (on
     * the thread that completes the stage). A request that {@code requests} cannot decode, a reply
     * that {@code replies} cannot encode, a throw of {@code answer} and a failed stage each cost
     * that client its connection (logged), and nothing else.
     */
    static <Q, R> AsyncRequestHandler using(MessageCodec<Q> requests, MessageCodec<R> replies, Typed<Q, R> answer) {
        Objects.requireNonNull(requests, "requests");
        Objects.requireNonNull(replies, "replies");
        Objects.requireNonNull(answer, "answer");
        return (client, request) -> {
            CompletionStage<R> stage;
            try {
                stage = answer.answer(client, requests.decode(request));
            } catch (Exception e) {
                return CompletableFuture.failedFuture(e);
            }
            if (stage == null) {
                return CompletableFuture.failedFuture(new NullPointerException("the handler returned no stage"));
            }
            return stage.thenApply(replies::encode);
        };
    }

    /** {@link #using(MessageCodec, MessageCodec, Typed)} with one codec for requests and replies. */
    static <T> AsyncRequestHandler using(MessageCodec<T> codec, Typed<T, T> answer) {
        return using(codec, codec, answer);
    }
}
