package io.pipekit.server.cli;

import io.pipekit.core.PipeException;
import io.pipekit.server.Connection;
import io.pipekit.server.ConnectionHandler;
import java.util.HashSet;
import java.util.Set;

/**
 * {@code pipe-server --broadcast}: relays every message to every other connected client, byte
 * for byte, and answers nothing. A whole broadcast server in one connection handler.
 */
public final class Broadcast implements ConnectionHandler {
    private final Set<Connection> everyone = new HashSet<>(); // touched on the server thread only

    @Override
    public void connected(Connection connection) {
        everyone.add(connection);
    }

    @Override
    public void messageReceived(Connection from, byte[] message) {
        for (Connection to : everyone) {
            if (to != from) {
                to.send(message); // never blocks; a client that stops reading is refused at its bound
            }
        }
    }

    @Override
    public void closed(Connection connection, PipeException cause) {
        everyone.remove(connection);
    }
}
