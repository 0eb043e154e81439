package io.pipekit.server.internal;

import io.pipekit.server.Connection;
import io.pipekit.server.ConnectionHandler;

/**
 * A {@link ConnectionHandler} of pipekit's own whose input is a stream with an end (a stream
 * handler's, an accepted socket's): told when the client half-closes (a Unix socket's
 * {@code shutdown(SHUT_WR)}), so that its reader sees the end of the stream while the connection
 * stays open for the answer. A user's connection handler hears messages, and takes the end of
 * the client's stream for its going, as before.
 */
public interface InputEnds {
    /**
     * On the loop thread: the client will send nothing more but may still read. Returns whether
     * to keep the connection open for writing (else it is closed as when the client leaves).
     */
    boolean inputEnded(Connection connection);
}
