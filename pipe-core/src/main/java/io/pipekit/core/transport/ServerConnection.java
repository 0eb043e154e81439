package io.pipekit.core.transport;

import io.pipekit.core.PeerIdentity;
import io.pipekit.core.PipeException;
import java.util.concurrent.Callable;

/**
 * One connected client as the server loop sees it. Every method must be called on the loop
 * thread, and every {@link Listener} callback comes on it. At most one read is in flight at a
 * time, and it may be in flight together with writes: the sample's chain (read, answer, write,
 * read) uses one at a time; a connection handler keeps a read pending while it pushes.
 */
public interface ServerConnection {

    /** Told what became of this connection's I/O. */
    interface Listener {
        /** A whole message arrived (reassembled however many reads it took). */
        void messageRead(byte[] message);

        /** The whole of the oldest unfinished {@link #write} reached the pipe: once per write, in order. */
        void messageWritten();

        /**
         * The connection is over and its resources are freed; {@code cause} is {@code null} when
         * the client simply went away (end of stream) or the server closed it.
         */
        void closed(PipeException cause);

        /**
         * The client ended its sending but may still read (a Unix socket's half-close,
         * {@code shutdown(SHUT_WR)}): return {@code true} to keep the connection for writing, no
         * further message coming, or {@code false} to have it closed as if the client had left
         * ({@link #closed} follows with no cause). The default is {@code false}: a conversation
         * of messages takes the end of the client's stream for its going. A named pipe has no
         * half-close, and never asks.
         */
        default boolean inputEnded() {
            return false;
        }
    }

    /** A number for logs, unique among this server's connections. */
    long id();

    /** Who the client is, read when it connected. */
    PeerIdentity clientIdentity();

    /**
     * Runs {@code work} on the calling thread as the client (Windows impersonation), reverting
     * afterwards on every path.
     *
     * @throws UnsupportedOperationException where the transport cannot impersonate (Unix sockets)
     */
    <T> T runAsClient(Callable<T> work) throws Exception;

    /** Whether this transport can run work as the client: false where {@link #runAsClient} is unsupported. */
    boolean canRunAsClient();

    /** Starts reading the next whole message, unless a read is in flight already. */
    void read();

    /** Writes one whole message after those written before it; never blocks. */
    void write(byte[] message);

    /**
     * Writes the first {@code count} of {@code messages}, each a whole message, in order, after
     * those written before them; never blocks. {@link Listener#messageWritten} comes once for each.
     * A transport that can carry several messages in one system call does so (Unix sockets lay
     * them out together); the default writes them one by one.
     */
    default void write(byte[][] messages, int count) {
        for (int i = 0; i < count; i++) {
            write(messages[i]);
        }
    }

    /**
     * Disconnects the client. Pending I/O is cancelled, and native memory is freed once its
     * completion has run; {@link Listener#closed} follows exactly once.
     */
    void close();

    /**
     * Ends the server's sending once every write so far has gone out, where the transport can
     * tell the client (a Unix socket's {@code shutdown(SHUT_WR)}: the client reads the end of the
     * stream); reading goes on, and no write may follow. A named pipe has no half-close: there it
     * does nothing, and the client sees the end only when the connection closes.
     */
    default void shutdownOutput() {
    }

    /**
     * Closes as {@link #close()} does, but leaves what was written and the client has not read
     * yet for it to read, then the end of the stream, where the transport can. For a close once
     * every write has been reported written (a stream handler's end): a Unix socket's close keeps
     * it anyway, while a named pipe's {@code DisconnectNamedPipe} discards it.
     */
    default void closeKeepingUnread() {
        close();
    }
}
