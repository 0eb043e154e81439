package io.pipekit.client;

import io.pipekit.core.transport.ClientConnection;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * A client's pipe written as a stream of bytes: {@link PipeClient#outputStream()}. Nothing is
 * buffered here: each {@code write} call is one write to the pipe, so on a message-type pipe
 * each call sends one message. Wrap it in a {@link java.io.BufferedOutputStream} to write a
 * byte-type pipe in fewer, larger writes. A write waits for the client's send timeout while the
 * pipe is full. Closing it closes the client.
 */
final class PipeOutputStream extends OutputStream {
    private final PipeClient client;
    private final ClientConnection connection;
    private final long timeoutMillis;
    private final byte[] one = new byte[1];

    PipeOutputStream(PipeClient client, ClientConnection connection, long timeoutMillis) {
        this.client = client;
        this.connection = connection;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public void write(int b) throws IOException {
        one[0] = (byte) b;
        connection.send(one, 0, 1, timeoutMillis);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        if (length > 0) {
            connection.send(bytes, offset, length, timeoutMillis);
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
