package io.pipekit.server;

import io.pipekit.core.PipeException;

/**
 * What a server does with each connection when you drive it yourself, instead of answering
 * requests one by one ({@link RequestHandler}): hear each message as it arrives, and
 * {@link Connection#send} whenever you like. Every method runs on the server thread, so it must
 * not block; slow work belongs on another thread, which may send from there.
 */
public interface ConnectionHandler {

    /** A client connected. It may be sent to at once. */
    default void connected(Connection connection) {
    }

    /** A whole message arrived. The next read is already pending while this runs. */
    void messageReceived(Connection connection, byte[] message);

    /**
     * The connection is over: {@code cause} is {@code null} when the client left or the connection
     * was closed on purpose, else what went wrong. Nothing more arrives, and sends fail.
     */
    default void closed(Connection connection, PipeException cause) {
    }
}
