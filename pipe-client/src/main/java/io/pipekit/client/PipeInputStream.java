package io.pipekit.client;

import io.pipekit.core.transport.ClientConnection;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * A client's pipe read as a stream of bytes: {@link PipeClient#inputStream()}. Each read waits
 * for the client's receive timeout and ends with a {@link io.pipekit.core.PipeTimeoutException}
 * when it passes (the stream stays usable); it returns -1 once the server has closed the pipe.
 * Closing the stream closes the client, as closing a socket's stream closes the socket.
 */
final class PipeInputStream extends InputStream {
    private final PipeClient client;
    private final ClientConnection connection;
    private final long timeoutMillis;
    private final byte[] one = new byte[1];

    PipeInputStream(PipeClient client, ClientConnection connection, long timeoutMillis) {
        this.client = client;
        this.connection = connection;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public int read() throws IOException {
        int count = read(one, 0, 1);
        return count < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] into, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, into.length);
        return connection.read(into, offset, length, timeoutMillis);
    }

    @Override
    public void close() {
        client.close();
    }
}
