package io.pipekit.server.internal;

import io.pipekit.core.PipeException;
import io.pipekit.server.Connection;
import io.pipekit.server.ConnectionHandler;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A server socket's backlog: the {@link ConnectionHandler} of the server under it, which turns
 * each connection the loop accepts into an {@link AcceptedConnection} and queues it until
 * {@link #next} takes it. Connections wait accepted, reading into their own bound, as a kernel's
 * backlog holds TCP connections; beyond {@code backlog} of them a new one is closed at once.
 */
public final class SocketAcceptor implements ConnectionHandler, InputEnds {
    private static final System.Logger LOG = System.getLogger("io.pipekit.server");

    private final long bound;
    private final int backlog;
    private final Map<Connection, AcceptedConnection> byConnection = new HashMap<>(); // loop thread only

    // Guarded by `this`: the connections no accept has taken yet.
    private final ArrayDeque<AcceptedConnection> waiting = new ArrayDeque<>();
    private boolean closed;

    /**
     * @param bound how many bytes each connection reads ahead of its reader
     * @param backlog how many connections may wait for an accept
     */
    public SocketAcceptor(long bound, int backlog) {
        this.bound = bound;
        this.backlog = backlog;
    }

    @Override
    public void connected(Connection connection) {
        DrivenConnection driven = (DrivenConnection) connection;
        AcceptedConnection accepted = new AcceptedConnection(driven, bound);
        driven.pauseReadingWhile(accepted::behind);
        byConnection.put(connection, accepted);
        synchronized (this) {
            if (!closed && waiting.size() < backlog) {
                waiting.add(accepted);
                notifyAll();
                return;
            }
        }
        if (!isClosed()) {
            LOG.log(Level.WARNING, "refused client " + connection.id() + ": " + backlog + " connections already wait to be accepted");
        }
        connection.close();
    }

    @Override
    public void messageReceived(Connection connection, byte[] bytes) {
        AcceptedConnection accepted = byConnection.get(connection);
        if (accepted != null) {
            accepted.add(bytes);
        }
    }

    @Override
    public boolean inputEnded(Connection connection) {
        AcceptedConnection accepted = byConnection.get(connection);
        if (accepted != null) {
            accepted.endInput();
        }
        return true;
    }

    @Override
    public void closed(Connection connection, PipeException cause) {
        AcceptedConnection accepted = byConnection.remove(connection);
        if (accepted != null) {
            accepted.end(cause);
        }
    }

    /**
     * The next connection, waiting at most {@code timeoutMillis} (0: no limit); null if none came
     * in time.
     *
     * @throws IllegalStateException once {@link #close()} was called, waiting or not
     */
    public synchronized AcceptedConnection next(long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            if (closed) {
                throw new IllegalStateException("closed");
            }
            AcceptedConnection first = waiting.poll();
            if (first != null) {
                return first;
            }
            if (timeoutMillis == 0) {
                wait();
            } else {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
    }

    /** Ends a waiting {@link #next} and every later one, and closes the connections no accept took. */
    public void close() {
        ArrayDeque<AcceptedConnection> unaccepted;
        synchronized (this) {
            closed = true;
            unaccepted = new ArrayDeque<>(waiting);
            waiting.clear();
            notifyAll();
        }
        for (AcceptedConnection left : unaccepted) {
            left.close();
        }
    }

    public synchronized boolean isClosed() {
        return closed;
    }
}
