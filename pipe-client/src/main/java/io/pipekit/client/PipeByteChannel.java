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
 * (one message on a message-type pipe). Heap buffers are read and written in place; a direct
 * buffer passes through a scratch array kept per direction, so steady-state copying allocates
 * nothing. One reader and one writer may use it at once. Closing it closes the client.
 */
final class PipeByteChannel implements ByteChannel {
    private static final int SCRATCH = 64 * 1024;

    private final PipeClient client;
    private final ClientConnection connection;
    private final long timeoutMillis;
    private byte[] readScratch;
    private byte[] writeScratch;

    PipeByteChannel(PipeClient client, ClientConnection connection, long timeoutMillis) {
        this.client = client;
        this.connection = connection;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public int read(ByteBuffer into) throws IOException {
        ensureOpen("read");
        if (!into.hasRemaining()) {
            return 0;
        }
        if (into.hasArray()) {
            int count = connection.read(into.array(), into.arrayOffset() + into.position(), into.remaining(), timeoutMillis);
            if (count > 0) {
                into.position(into.position() + count);
            }
            return count;
        }
        if (readScratch == null) {
            readScratch = new byte[SCRATCH];
        }
        int count = connection.read(readScratch, 0, Math.min(readScratch.length, into.remaining()), timeoutMillis);
        if (count > 0) {
            into.put(readScratch, 0, count);
        }
        return count;
    }

    @Override
    public int write(ByteBuffer from) throws IOException {
        ensureOpen("write");
        int length = from.remaining();
        if (length == 0) {
            return 0;
        }
        if (from.hasArray()) {
            connection.send(from.array(), from.arrayOffset() + from.position(), length);
            from.position(from.limit());
            return length;
        }
        if (writeScratch == null || writeScratch.length < length) {
            writeScratch = new byte[Math.max(length, SCRATCH)]; // grows to the largest write, then stays
        }
        from.get(writeScratch, 0, length);
        connection.send(writeScratch, 0, length);
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
