package io.pipekit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;

/**
 * Waits for a server with a {@link ConnectionHandler} to list its clients: a client's connect
 * returns before the server has heard of it, and a test that pushes needs the server's side.
 * Shared by the specification and by pipe-it's interop tests.
 */
public final class ServerConnections {
    private ServerConnections() {
    }

    /** The server's connections once there are exactly {@code count}, within {@code timeout}. */
    public static List<Connection> await(PipeServer server, int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (server.connections().size() < count && System.nanoTime() - deadline < 0) {
            Thread.sleep(5);
        }
        List<Connection> connections = server.connections();
        assertEquals(count, connections.size(), "connections: " + connections);
        return connections;
    }
}
