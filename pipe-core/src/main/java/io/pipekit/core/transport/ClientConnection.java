package io.pipekit.core.transport;

import io.pipekit.core.PipeException;
import java.io.Closeable;

/**
 * A client's connection to a pipe, in message mode: every call sends or receives whole
 * messages. Blocking; one thread at a time.
 */
public interface ClientConnection extends Closeable {
    /** Sends one whole message. */
    void send(byte[] message) throws PipeException;

    /** Receives the next whole message, however long. */
    byte[] receive() throws PipeException;

    /** Sends one message and receives the answer, in one call where the transport allows it. */
    byte[] transact(byte[] message) throws PipeException;

    /** Disconnects; idempotent. */
    @Override
    void close();
}
