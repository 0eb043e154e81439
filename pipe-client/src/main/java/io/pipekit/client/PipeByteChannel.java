package io.pipekit.client;

import io.pipekit.core.PipeClosedException;
import io.pipekit.core.PipeException;
import io.pipekit.core.transport.ClientConnection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ByteChannel;

/**
 * A client's pipe as a {@link ByteChannel}: {@link PipeClient#channel()}. Reads and writes are
 * those of the client's streams: a read returns what has arrived (at least one byte, waiting for
 * the receive timeout) or -1 at the end; a write sends the buffer's remaining bytes as one write
 * (one message on a message-type pipe), waiting for the send timeout while the pipe is full. Steady-state copying allocates nothing. A direct buffer
 * is the fast path: in byte read mode on Unix sockets it goes to and from the socket with no copy
 * of pipekit's own, as C's buffers do; under Windows it is copied once, to or from the
 * connection's native I/O buffer, as an array is. One reader and one writer may use it at once.
 * Closing it closes the client.
 */
final class PipeByteChannel implements ByteChannel {
    private final PipeClient client;
    private final ClientConnection connection;
    private final long timeoutMillis;
    private final long sendTimeoutMillis;

    PipeByteChannel(PipeClient client, ClientConnection connection, long timeoutMillis, long sendTimeoutMillis) {
        this.client = client;
        this.connection = connection;
        this.timeoutMillis = timeoutMillis;
        this.sendTimeoutMillis = sendTimeoutMillis;
    }

    @Override
    public int read(ByteBuffer into) throws IOException {
        ensureOpen("read");
        return connection.read(into, timeoutMillis);
    }

    @Override
    public int write(ByteBuffer from) throws IOException {
        ensureOpen("write");
        int length = from.remaining();
        if (length > 0) {
            connection.send(from, sendTimeoutMillis);
        }
        return length;
    }

    private void ensureOpen(String operation) throws PipeException {
        if (!client.isOpen()) {
            throw new PipeClosedException(operation + " on " + client.name(), PipeException.NO_CODE, "the connection is closed");
        }
    }

    @Override
    public boolean isOpen() {
        return client.isOpen();
    }

    @Override
    public void close() {
        client.close();
    }
}
