package io.pipekit.server;

import io.pipekit.core.MessageCodec;
import java.util.function.BiFunction;

/**
 * Answers a request on the server's one thread, as the sample's {@code GetAnswerToRequest}
 * does. It should be quick: while it runs, no other client is served. For slow work use an
 * {@link AsyncRequestHandler}.
 *
 * <p>If it throws, that client's connection is closed and the exception logged; the server
 * and its other clients carry on.
 */
@FunctionalInterface
public interface RequestHandler {
    /** The whole reply message to the whole request message. */
    byte[] answer(ClientInfo client, byte[] request) throws Exception;

    /** A handler working on decoded values: the request is decoded, the answer encoded, with {@code codec}. */
    static <T> RequestHandler using(MessageCodec<T> codec, BiFunction<ClientInfo, T, T> answer) {
        return (client, request) -> codec.encode(answer.apply(client, codec.decode(request)));
    }
}
