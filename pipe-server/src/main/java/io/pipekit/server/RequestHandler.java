package io.pipekit.server;

import io.pipekit.core.MessageCodec;
import java.util.Objects;

/**
 * Answers a request on the server's one thread, as the sample's {@code GetAnswerToRequest}
 * does. It should be quick: while it runs, no other client is served. For slow work use an
 * {@link AsyncRequestHandler}.
 *
 * <p>If it throws, that client's connection is closed and the exception logged; the server
 * and its other clients carry on.
 *
 * <p>A request is one whole message, so a request handler serves message-type pipes only; on a
 * byte-type pipe, {@link FramedRequests} cuts the stream into requests for it.
 */
@FunctionalInterface
public interface RequestHandler {
    /** The whole reply message to the whole request message. */
    byte[] answer(ClientInfo client, byte[] request) throws Exception;

    /**
     * A request handler's answer on decoded values: see {@link RequestHandler#using(MessageCodec, MessageCodec, Typed)}.
     *
     * @param <Q> the type of the requests
     * @param <R> the type of the replies
     */
    @FunctionalInterface
    public interface Typed<Q, R> {
        /**
         * The reply to {@code request}, on the server thread. A throw costs this client its
         * connection, as a throwing {@link RequestHandler} does.
         */
        R answer(ClientInfo client, Q request) throws Exception;
    }

    /**
     * A handler working on values: each request is decoded with {@code requests}, answered by
     * {@code answer}, and the reply encoded with {@code replies}. A request that {@code requests}
     * cannot decode, a reply that {@code replies} cannot encode, and a throw of {@code answer} each
     * cost that client its connection (logged), and nothing else.
     */
    static <Q, R> RequestHandler using(MessageCodec<Q> requests, MessageCodec<R> replies, Typed<Q, R> answer) {
        Objects.requireNonNull(requests, "requests");
        Objects.requireNonNull(replies, "replies");
        Objects.requireNonNull(answer, "answer");
        return (client, request) -> replies.encode(answer.answer(client, requests.decode(request)));
    }

    /** {@link #using(MessageCodec, MessageCodec, Typed)} with one codec for requests and replies. */
    static <T> RequestHandler using(MessageCodec<T> codec, Typed<T, T> answer) {
        return using(codec, codec, answer);
    }
}
