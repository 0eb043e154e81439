package io.pipekit.server;

import java.util.concurrent.CompletionStage;

/**
 * One connected client of a server with a {@link ConnectionHandler}: a connection you drive.
 * The server reads it continuously, handing each whole message to the handler, while you send to
 * it whenever you like, from any thread.
 */
public interface Connection {

    /** A number unique among this server's connections, for logs. */
    long id();

    /** The client's process id, or -1 where the transport cannot tell (Unix sockets). */
    long clientProcessId();

    /**
     * Sends one whole message, from any thread, at any time; never blocks. Messages go out in the
     * order they were sent. The stage completes once the message is written to the pipe, or fails:
     * with a {@link io.pipekit.core.SendQueueFullException} at once when the connection's queue
     * is at its bound (a client that does not read), with a
     * {@link io.pipekit.core.PipeClosedException} or {@link io.pipekit.core.PeerClosedException}
     * when the connection closes first.
     */
    CompletionStage<Void> send(byte[] message);

    /** Closes the connection, from any thread; messages not yet written fail. Idempotent. */
    void close();

    /** Whether the connection is still open, as far as this thread can see. */
    boolean isOpen();
}
