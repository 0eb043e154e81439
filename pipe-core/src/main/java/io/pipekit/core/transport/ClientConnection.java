package io.pipekit.core.transport;

import io.pipekit.core.PipeException;
import java.io.Closeable;

/**
 * A client's connection to a pipe, in message mode: every call sends or receives whole
 * messages. One thread may receive while another sends (one reader and one writer at a time);
 * {@link #transact} is both at once. {@link #close()} may come from any thread, and ends a
 * blocked call with a {@link io.pipekit.core.PipeClosedException}.
 */
public interface ClientConnection extends Closeable {
    /** The timeout that means: wait as long as it takes. */
    long NO_TIMEOUT = -1;

    /** Sends one whole message; blocks while the pipe is full, until {@link #close()}. */
    void send(byte[] message) throws PipeException;

    /**
     * Receives the next whole message, however long, waiting at most {@code timeoutMillis}
     * ({@link #NO_TIMEOUT}: no limit). A timeout throws {@link io.pipekit.core.PipeTimeoutException}
     * and leaves the connection usable: part of a message already received is kept for the next call.
     */
    byte[] receive(long timeoutMillis) throws PipeException;

    /**
     * Sends one message and receives the answer, the receive waiting at most {@code timeoutMillis}.
     * After a timeout the answer may still come: the next {@link #receive} gets it.
     */
    byte[] transact(byte[] message, long timeoutMillis) throws PipeException;

    /** Disconnects, from any thread, and frees everything once no call uses it; idempotent. */
    @Override
    void close();
}
