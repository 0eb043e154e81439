package io.pipekit.server.internal;

import io.pipekit.core.PeerIdentity;
import io.pipekit.core.PipeClosedException;
import io.pipekit.core.PipeException;
import io.pipekit.core.PipeInterruptedException;
import io.pipekit.core.PipeIoException;
import io.pipekit.core.PipeTimeoutException;
import io.pipekit.core.ReadMode;
import io.pipekit.core.SendQueueFullException;
import io.pipekit.core.transport.ClientConnection;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The server's side of a connection a server socket accepted, as the blocking
 * {@link ClientConnection} a {@code PipeSocket} reads and writes: what arrives on the loop thread
 * is queued for {@link #read} (reading pauses while the bound waits unread, as for a stream
 * handler), and what is sent goes through the {@link DrivenConnection}'s send queue, waiting while
 * it is full. The other side's identity, {@link #serverIdentity()}, is the client's.
 *
 * <p>{@link #close()} lets what was sent go out before the connection closes, as a socket's close
 * does, unless a send waits for room (a client that does not read): then it closes at once, and the
 * waiting send fails. A read waits at most its timeout, which leaves the connection usable.
 */
public final class AcceptedConnection implements ClientConnection {
    private final DrivenConnection connection;
    private final long bound;
    private final long resumeBelow;

    // Guarded by `this`: what arrived and was not read yet, and how the input ended.
    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    private byte[] current;
    private int offset;
    private long queued;
    private boolean inputEnded; // the client half-closed
    private boolean inputShut; // this side stopped reading
    private boolean ended; // the connection is over
    private PipeException cause;
    private boolean closedHere;

    private volatile boolean sendWaiting; // a send waits for room in the send queue
    /** A test's seam: runs on the sending thread when the queue refused a send, before it waits for room. */
    Runnable onRefusal = () -> { };

    AcceptedConnection(DrivenConnection connection, long bound) {
        this.connection = connection;
        this.bound = bound;
        this.resumeBelow = Math.max(1, bound / 2);
    }

    // --- from the loop thread (SocketAcceptor) ---------------------------------------------------

    synchronized void add(byte[] chunk) {
        if (chunk.length == 0 || inputShut) {
            return; // after shutdownInput what comes is dropped, as the kernel drops it
        }
        chunks.add(chunk);
        queued += chunk.length;
        notifyAll();
    }

    /** Whether the reader is behind: at least the bound waits unread. */
    synchronized boolean behind() {
        return queued >= bound;
    }

    synchronized void endInput() {
        inputEnded = true;
        notifyAll();
    }

    synchronized void end(PipeException why) {
        ended = true;
        cause = why;
        notifyAll();
    }

    // --- ClientConnection, from the socket's threads --------------------------------------------

    /** The client: the other side of this connection. */
    @Override
    public PeerIdentity serverIdentity() {
        return connection.peer();
    }

    @Override
    public ReadMode readMode() {
        return ReadMode.BYTE;
    }

    @Override
    public synchronized int read(byte[] into, int off, int len, long timeoutMillis) throws PipeException {
        if (len == 0) {
            return 0;
        }
        long deadline = timeoutMillis == NO_TIMEOUT ? 0 : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (current == null) {
            if (closedHere) {
                throw new PipeClosedException(readOperation(), PipeException.NO_CODE, "the socket is closed");
            }
            current = chunks.poll();
            offset = 0;
            if (current != null) {
                break;
            }
            if (inputShut || inputEnded) {
                return -1;
            }
            if (ended) {
                if (cause != null) {
                    throw cause;
                }
                if (connection.closedByThisSide()) {
                    throw new PipeClosedException(readOperation(), PipeException.NO_CODE, "the connection was closed on this side");
                }
                return -1; // the client closed its end
            }
            try {
                if (timeoutMillis == NO_TIMEOUT) {
                    wait();
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new PipeTimeoutException(readOperation(), PipeException.NO_CODE,
                                "nothing came from the client within " + timeoutMillis + " ms");
                    }
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
            } catch (InterruptedException e) {
                throw interrupted(readOperation(), "waiting for the client", e);
            }
        }
        int count = Math.min(len, current.length - offset);
        System.arraycopy(current, offset, into, off, count);
        offset += count;
        boolean wasAtHalf = queued >= resumeBelow;
        queued -= count;
        if (offset == current.length) {
            current = null;
        }
        if (wasAtHalf && queued < resumeBelow) {
            connection.resumeReading(); // as StreamBridge's input: each fall below half the bound asks the loop
        }
        return count;
    }

    @Override
    public int read(ByteBuffer into, long timeoutMillis) throws PipeException {
        byte[] bytes = new byte[Math.min(into.remaining(), 64 * 1024)];
        int count = read(bytes, 0, bytes.length, timeoutMillis);
        if (count > 0) {
            into.put(bytes, 0, count);
        }
        return count;
    }

    @Override
    public synchronized int available() {
        return (int) Math.min(Integer.MAX_VALUE, queued);
    }

    /** Not for an accepted socket, which reads a stream ({@link #read}). */
    @Override
    public byte[] receive(long timeoutMillis) {
        throw new UnsupportedOperationException("an accepted socket reads a stream of bytes");
    }

    /** Not for an accepted socket, which answers; it does not ask. */
    @Override
    public byte[] transact(byte[] message, long sendTimeoutMillis, long receiveTimeoutMillis) {
        throw new UnsupportedOperationException("an accepted socket reads a stream of bytes");
    }

    @Override
    public void send(ByteBuffer from, long timeoutMillis) throws PipeException {
        byte[] bytes = new byte[from.remaining()];
        from.get(bytes);
        send(bytes, 0, bytes.length, timeoutMillis);
    }

    /**
     * Queues the bytes to go out after those sent before, waiting (at most {@code timeoutMillis})
     * only while the send queue is full: a client that does not read. The socket's writers are
     * one at a time.
     */
    @Override
    public void send(byte[] bytes, int off, int len, long timeoutMillis) throws PipeException {
        byte[] copy = Arrays.copyOfRange(bytes, off, off + len); // the queue keeps it; the caller may reuse its array
        long deadline = timeoutMillis == NO_TIMEOUT ? 0 : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (true) {
            if (isClosedHere()) {
                throw new PipeClosedException(writeOperation(), PipeException.NO_CODE, "the socket is closed");
            }
            CompletableFuture<Void> sent = connection.send(copy).toCompletableFuture();
            if (!sent.isCompletedExceptionally()) {
                return;
            }
            Throwable refused = Refusals.cause(sent);
            if (!(refused instanceof SendQueueFullException full)) {
                throw refused instanceof PipeException pipe ? pipe
                        : new PipeIoException(writeOperation(), PipeException.NO_CODE, String.valueOf(refused), refused);
            }
            onRefusal.run();
            sendWaiting = true;
            try {
                // A close() that ran since the check above read sendWaiting before it was set, and
                // left the connection to close once drained: a drain this wait would never see.
                if (isClosedHere()) {
                    connection.close();
                    throw new PipeClosedException(writeOperation(), PipeException.NO_CODE, "the socket is closed");
                }
                awaitRoom(deadline, timeoutMillis, full);
            } finally {
                sendWaiting = false;
            }
        }
    }

    private void awaitRoom(long deadline, long timeoutMillis, SendQueueFullException full) throws PipeException {
        try {
            if (timeoutMillis == NO_TIMEOUT) {
                connection.drained().get();
            } else {
                connection.drained().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            throw interrupted(writeOperation(), "waiting for the client to read", e);
        } catch (TimeoutException e) {
            throw new PipeTimeoutException(writeOperation(), PipeException.NO_CODE,
                    "the client read nothing within " + timeoutMillis + " ms: " + full.getMessage(), e);
        } catch (ExecutionException e) {
            throw new PipeIoException(writeOperation(), PipeException.NO_CODE, String.valueOf(e.getCause()), e.getCause());
        }
    }

    /** A Unix socket's half-close once what was sent is written; nothing on a named pipe. */
    @Override
    public void shutdownOutput() {
        connection.shutdownOutput();
    }

    /** Later reads return -1, and what arrives is dropped; the client's writes do not block on it. */
    @Override
    public void shutdownInput() {
        boolean resume;
        synchronized (this) {
            inputShut = true;
            resume = queued >= resumeBelow;
            chunks.clear();
            current = null;
            queued = 0;
            notifyAll();
        }
        if (resume) {
            connection.resumeReading();
        }
    }

    @Override
    public boolean isOpen() {
        return !isClosedHere() && connection.isOpen();
    }

    /**
     * From any thread: a blocked read ends at once; what was sent goes out first, then the
     * connection closes (its client reads it all, then the end), unless a send waits for room,
     * which ends at once with the connection.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closedHere) {
                return;
            }
            closedHere = true;
            notifyAll();
        }
        if (sendWaiting) {
            connection.close();
        } else {
            connection.drained().thenRun(connection::closeKeepingUnread);
        }
    }

    private synchronized boolean isClosedHere() {
        return closedHere;
    }

    private PipeInterruptedException interrupted(String operation, String waiting, InterruptedException e) {
        return StreamBridge.interrupted(connection, operation, waiting, e);
    }

    private String readOperation() {
        return "read from client " + connection.id();
    }

    private String writeOperation() {
        return "write to client " + connection.id();
    }
}
