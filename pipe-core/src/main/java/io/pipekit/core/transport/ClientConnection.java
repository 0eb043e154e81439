package io.pipekit.core.transport;

import io.pipekit.core.PeerIdentity;
import io.pipekit.core.PipeException;
import io.pipekit.core.ReadMode;
import java.io.Closeable;
import java.nio.ByteBuffer;

/**
 * A client's connection to a pipe. In message read mode every receive returns a whole message;
 * in byte read mode it returns what one read delivered. {@link #read} reads either as one stream
 * of bytes. One thread may read while another sends: one reader and one writer at a time
 * ({@link #transact} is both at once); a second reader or writer while one is in a call gets an
 * {@link IllegalStateException} at once, never a share of the first one's buffers.
 * {@link #close()} may come from any thread, and ends a blocked call with a
 * {@link io.pipekit.core.PipeClosedException}.
 *
 * <p>Sends and receives each take a timeout ({@link #NO_TIMEOUT}: none). A send that times out
 * before any of its bytes went out throws {@link io.pipekit.core.PipeTimeoutException} and leaves
 * the connection usable; one that had sent part of its bytes closes the connection (the rest can
 * no longer follow as one message) and throws {@link io.pipekit.core.PipeTimeoutException} saying
 * so; later calls get {@link io.pipekit.core.PipeClosedException}.
 */
public interface ClientConnection extends Closeable {
    /** The timeout that means: wait as long as it takes. */
    long NO_TIMEOUT = -1;

    /** Who serves the pipe, read when the connection was made (and checked against the client's {@code ServerTrust}). */
    PeerIdentity serverIdentity();

    /** The read mode in effect: {@link ReadMode#MESSAGE} or {@link ReadMode#BYTE}, never {@code AUTO}. */
    ReadMode readMode();

    /** Sends one whole message; blocks while the pipe is full, until {@link #close()}. */
    default void send(byte[] message) throws PipeException {
        send(message, 0, message.length, NO_TIMEOUT);
    }

    /**
     * Sends {@code length} bytes from {@code offset}: one message on a message-type pipe, more
     * of the stream on a byte-type one. Blocks while the pipe is full, until {@link #close()}.
     */
    default void send(byte[] bytes, int offset, int length) throws PipeException {
        send(bytes, offset, length, NO_TIMEOUT);
    }

    /**
     * {@link #send(byte[], int, int)}, waiting at most {@code timeoutMillis} while the pipe is full
     * ({@link #NO_TIMEOUT}: no limit).
     *
     * @throws io.pipekit.core.PipeTimeoutException if the pipe did not take it in time (see the class comment)
     */
    void send(byte[] bytes, int offset, int length, long timeoutMillis) throws PipeException;

    /**
     * {@link #send(byte[], int, int)} of {@code from}'s remaining bytes, which it consumes. A
     * direct buffer may go to the pipe with one copy fewer than an array.
     */
    default void send(ByteBuffer from) throws PipeException {
        send(from, NO_TIMEOUT);
    }

    /** {@link #send(ByteBuffer)}, waiting at most {@code timeoutMillis} while the pipe is full. */
    void send(ByteBuffer from, long timeoutMillis) throws PipeException;

    /**
     * Reads what has arrived as a stream of bytes, whatever the read mode (a message-type pipe's
     * messages follow each other with no boundary): at least one byte and at most {@code length},
     * waiting at most {@code timeoutMillis}; -1 once the server has closed the connection and
     * everything before that has been read. Allocates nothing. Use either this or
     * {@link #receive} for reading one connection, not both.
     *
     * @throws io.pipekit.core.PipeTimeoutException if nothing came in time; the connection stays usable
     */
    int read(byte[] into, int offset, int length, long timeoutMillis) throws PipeException;

    /**
     * {@link #read(byte[], int, int, long)} into what {@code into} has room for, advancing its
     * position. A direct buffer may be read into with one copy fewer than an array.
     */
    int read(ByteBuffer into, long timeoutMillis) throws PipeException;

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
    default byte[] transact(byte[] message, long timeoutMillis) throws PipeException {
        return transact(message, NO_TIMEOUT, timeoutMillis);
    }

    /**
     * {@link #transact(byte[], long)} with the send waiting at most {@code sendTimeoutMillis} too.
     */
    byte[] transact(byte[] message, long sendTimeoutMillis, long receiveTimeoutMillis) throws PipeException;

    /**
     * How many bytes a {@link #read} could return now without waiting: an estimate, 0 when it
     * cannot tell (a reader is in a call, the pipe is read as messages) or the stream has ended.
     */
    default int available() throws PipeException {
        return 0;
    }

    /**
     * Ends this side's sending where the transport can tell the server (a Unix socket's
     * {@code shutdown(SHUT_WR)}: the server reads the end of the stream); reading goes on. A
     * named pipe has no half-close, and this does nothing there.
     */
    default void shutdownOutput() throws PipeException {
    }

    /**
     * Stops reading where the transport can ({@code shutdown(SHUT_RD)} on a Unix socket: a
     * waiting read then returns -1); sending goes on. Nothing on a named pipe.
     */
    default void shutdownInput() throws PipeException {
    }

    /** Whether neither {@link #close()} nor a send that timed out part-way has closed it. */
    boolean isOpen();

    /** Disconnects, from any thread, and frees everything once no call uses it; idempotent. */
    @Override
    void close();
}
