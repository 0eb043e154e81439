package io.pipekit.server;

import io.pipekit.core.PipeException;
import io.pipekit.core.transport.ServerConnection;

/** What an echo server's connection does at the transport seam: read, write back, read again. */
public final class EchoListener {
    private EchoListener() {
    }

    /** Starts {@code connection}'s first read and returns the listener that echoes what it reads. */
    public static ServerConnection.Listener on(ServerConnection connection) {
        ServerConnection.Listener listener = new ServerConnection.Listener() {
            @Override
            public void messageRead(byte[] message) {
                connection.write(message);
            }

            @Override
            public void messageWritten() {
                connection.read();
            }

            @Override
            public void closed(PipeException cause) {
            }
        };
        connection.read();
        return listener;
    }
}
