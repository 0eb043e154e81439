package io.pipekit.core.transport;

import io.pipekit.core.PipeException;

/**
 * One connected client as the server loop sees it. Every method must be called on the loop
 * thread, and every {@link Listener} callback comes on it. At most one read or write is in
 * flight at a time: the session's chain is read, answer, write, read, as in the sample.
 */
public interface ServerConnection {

    /** Told what became of this connection's I/O. */
    interface Listener {
        /** A whole message arrived (reassembled however many reads it took). */
        void messageRead(byte[] message);

        /** The whole of the last {@link #write} reached the pipe. */
        void messageWritten();

        /**
         * The connection is over and its resources are freed; {@code cause} is {@code null} when
         * the client simply went away (end of stream) or the server closed it.
         */
        void closed(PipeException cause);
    }

    /** A number for logs, unique among this server's connections. */
    long id();

    /** The connected client's process id, or -1 where the transport cannot tell. */
    long clientProcessId();

    /** Starts reading the next whole message. */
    void read();

    /** Starts writing one whole message. */
    void write(byte[] message);

    /**
     * Disconnects the client. Pending I/O is cancelled, and native memory is freed once its
     * completion has run; {@link Listener#closed} follows exactly once.
     */
    void close();
}
