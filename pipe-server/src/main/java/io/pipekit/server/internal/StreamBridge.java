package io.pipekit.server.internal;

import io.pipekit.core.PipeClosedException;
import io.pipekit.core.PipeException;
import io.pipekit.core.PipeInterruptedException;
import io.pipekit.core.PipeIoException;
import io.pipekit.core.SendQueueFullException;
import io.pipekit.server.Connection;
import io.pipekit.server.ConnectionHandler;
import io.pipekit.server.StreamHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs a {@link StreamHandler} per connection on a thread of its own (made by the user's
 * {@link ThreadFactory}, or a platform daemon thread by default), over the connection API:
 * what arrives on the server thread is queued for the handler's input stream (reading pauses
 * while more than the bound waits), and what the handler writes is sent with
 * {@link Connection#send}, waiting while the send queue is full.
 *
 * <p>The streams fail as the rest of the API does, as {@code PipeClient}'s streams do: an
 * interrupt of a thread waiting in one closes the connection and throws
 * {@link PipeInterruptedException} with the thread's interrupt flag set (the JDK's
 * {@code ClosedByInterruptException} semantics: a half-done read or write leaves the stream in no
 * state to go on); every other failure is a {@link PipeException} subtype.
 */
public final class StreamBridge implements ConnectionHandler, InputEnds {
    private static final System.Logger LOG = System.getLogger("io.pipekit.server");

    private final StreamHandler handler;
    private final String pipeName;
    private final long bound;
    private final ThreadFactory threads; // null: a platform daemon thread named for the pipe and the connection
    private final Map<Connection, Inbound> inbound = new HashMap<>(); // server thread only

    public StreamBridge(StreamHandler handler, String pipeName, long bound) {
        this(handler, pipeName, bound, null);
    }

    /** @param threads makes each connection's thread, or {@code null} for pipekit's own platform daemon thread */
    public StreamBridge(StreamHandler handler, String pipeName, long bound, ThreadFactory threads) {
        this.handler = Objects.requireNonNull(handler, "handler");
        this.pipeName = pipeName;
        this.bound = bound;
        this.threads = threads;
    }

    @Override
    public void connected(Connection connection) {
        DrivenConnection driven = (DrivenConnection) connection;
        Inbound in = new Inbound(driven, bound);
        inbound.put(connection, in);
        driven.pauseReadingWhile(in::behind);
        Runnable serving = () -> serve(connection, in);
        Thread thread;
        if (threads == null) {
            thread = new Thread(serving, "pipekit-stream " + pipeName + " #" + connection.id());
            // A handler that never returns must not keep the JVM alive once the server is closed.
            thread.setDaemon(true);
        } else {
            // What the factory throws, or a null, fails connected(): the connection is closed and
            // the failure logged, and the server goes on (see DrivenConnection.start).
            thread = Objects.requireNonNull(threads.newThread(serving), "the stream handler's ThreadFactory returned no thread");
        }
        thread.start();
    }

    private void serve(Connection connection, Inbound in) {
        DrivenConnection driven = (DrivenConnection) connection;
        Outbound out = new Outbound(driven);
        try {
            handler.serve(connection, in, out);
            out.flush();
            driven.closeKeepingUnread(); // everything is written: the client reads it to the end
        } catch (Exception e) {
            if (connection.isOpen()) {
                LOG.log(Level.WARNING, "the stream handler failed for client " + connection.id() + "; closing its connection", e);
            }
            connection.close();
        } catch (Error e) {
            connection.close();
            throw e;
        }
    }

    @Override
    public void messageReceived(Connection connection, byte[] bytes) {
        Inbound in = inbound.get(connection);
        if (in != null) {
            in.add(bytes); // the connection then asks in.behind() whether to read on
        }
    }

    /** A half-close: the handler reads what came, then the end of the stream, and may still write. */
    @Override
    public boolean inputEnded(Connection connection) {
        Inbound in = inbound.get(connection);
        if (in != null) {
            in.endInput();
        }
        return true;
    }

    @Override
    public void closed(Connection connection, PipeException cause) {
        Inbound in = inbound.remove(connection);
        if (in != null) {
            in.end(cause);
        }
    }

    /**
     * What arrived and the handler has not read yet, as an InputStream. It keeps the count of
     * those bytes, and no pause state: the connection pauses reading, on the loop thread, while
     * {@link #behind()} says so, and asks again on each {@link DrivenConnection#resumeReading()}
     * this stream sends once its reader has taken the backlog below half the bound.
     */
    static final class Inbound extends InputStream {
        private final DrivenConnection connection;
        private final long bound;
        private final long resumeBelow;
        private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
        private final byte[] one = new byte[1];
        private byte[] current;
        private int offset;
        private long queued;
        private boolean ended;
        private boolean inputEnded; // the client half-closed: the end of the stream, the connection open
        private boolean closedByReader;
        private PipeException cause;

        Inbound(DrivenConnection connection, long bound) {
            this.connection = connection;
            this.bound = bound;
            this.resumeBelow = Math.max(1, bound / 2); // a bound of 1 still resumes, once all is read
        }

        /** On the server thread. */
        synchronized void add(byte[] chunk) {
            if (chunk.length == 0) {
                return;
            }
            chunks.add(chunk);
            queued += chunk.length;
            notifyAll();
        }

        /** Whether the reader is behind: at least the bound waits unread. Asked on the server thread. */
        synchronized boolean behind() {
            return queued >= bound;
        }

        synchronized void endInput() {
            inputEnded = true;
            notifyAll();
        }

        synchronized void end(PipeException cause) {
            ended = true;
            this.cause = cause;
            notifyAll();
        }

        @Override
        public int read() throws IOException {
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public synchronized int read(byte[] into, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, into.length);
            if (len == 0) {
                return 0;
            }
            while (current == null) {
                if (closedByReader) {
                    throw new PipeClosedException(readOperation(), PipeException.NO_CODE, "the stream handler's input is closed");
                }
                current = chunks.poll();
                offset = 0;
                if (current != null) {
                    break;
                }
                if (ended) {
                    if (cause != null) {
                        throw cause;
                    }
                    if (connection.closedByThisSide()) {
                        throw new PipeClosedException(readOperation(), PipeException.NO_CODE, "the connection was closed on this side");
                    }
                    return -1; // the client closed its end: the end of the stream
                }
                if (inputEnded) {
                    return -1; // the client half-closed: the end of the stream, and the answer may follow
                }
                try {
                    wait();
                } catch (InterruptedException e) {
                    throw interrupted(connection, readOperation(), "waiting for the client", e);
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
            // Each fall below half the bound asks the loop, which reads on only if no longer behind.
            // Reading paused only at the bound, so each pause is followed by such a fall: no pause
            // is left without its resume, and a resume that comes too early changes nothing.
            if (wasAtHalf && queued < resumeBelow) {
                connection.resumeReading();
            }
            return count;
        }

        @Override
        public synchronized int available() {
            return (int) Math.min(Integer.MAX_VALUE, queued);
        }

        @Override
        public void close() {
            synchronized (this) {
                closedByReader = true; // a later read throws at once, not once the loop has closed
                notifyAll();
            }
            connection.closeKeepingUnread(); // what the handler wrote already is not taken back
        }

        private String readOperation() {
            return "read from client " + connection.id();
        }
    }

    /**
     * The handler's output: each write one send, waiting while the send queue is full. Safe for
     * several threads (an LSP server pushes notifications from one while it answers on another):
     * writes take a fair lock, so each goes out whole, and writers that find the queue full go out
     * in the order they called {@code write}, not in the order they happen to wake when it drains.
     */
    static final class Outbound extends OutputStream {
        private final DrivenConnection connection;
        private final ReentrantLock writing = new ReentrantLock(true);
        private CompletableFuture<Void> last = CompletableFuture.completedFuture(null); // guarded by writing

        Outbound(DrivenConnection connection) {
            this.connection = connection;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, bytes.length);
            if (len == 0) {
                return;
            }
            byte[] copy = Arrays.copyOfRange(bytes, off, off + len); // the queue keeps it; the caller may reuse its array
            lock();
            try {
                send(copy);
            } finally {
                writing.unlock();
            }
        }

        /** Under the lock: sends {@code copy}, waiting for room while the queue is full. */
        private void send(byte[] copy) throws IOException {
            while (true) {
                CompletableFuture<Void> sent = connection.send(copy).toCompletableFuture();
                if (sent.isCompletedExceptionally() && Refusals.cause(sent) instanceof SendQueueFullException) {
                    // Wait for the queue to drain, not for this stream's last send: others (another
                    // thread with the connection) may have filled it while that is long written.
                    // An empty queue takes any one message.
                    await(connection.drained());
                    continue;
                }
                if (sent.isCompletedExceptionally()) {
                    await(sent);
                }
                last = sent;
                return;
            }
        }

        @Override
        public void flush() throws IOException {
            CompletableFuture<Void> upTo;
            lock(); // behind a write still waiting for room: flush waits for that one too
            try {
                upTo = last; // sends complete in order: the newest done means all are
            } finally {
                writing.unlock();
            }
            await(upTo);
        }

        private void lock() throws PipeInterruptedException {
            try {
                writing.lockInterruptibly();
            } catch (InterruptedException e) {
                throw interrupted(connection, writeOperation(), "waiting for another thread's write to the client", e);
            }
        }

        private String writeOperation() {
            return "write to client " + connection.id();
        }

        @Override
        public void close() throws IOException {
            try {
                flush();
            } catch (IOException | RuntimeException e) {
                connection.close();
                throw e;
            }
            connection.closeKeepingUnread(); // everything is written: the client reads it to the end
        }

        private void await(CompletableFuture<Void> future) throws PipeException {
            try {
                future.get();
            } catch (InterruptedException e) {
                throw interrupted(connection, writeOperation(), "waiting to write to the client", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof PipeException pipe) {
                    throw pipe;
                }
                connection.close(); // a failure pipekit did not foresee: the stream is in no state to go on
                throw new PipeIoException(writeOperation(), PipeException.NO_CODE, String.valueOf(e.getCause()), e.getCause());
            }
        }
    }

    /**
     * An interrupt of a thread waiting in one of the streams: the connection is closed (the read or
     * write is half done), the interrupt flag set again, and the exception says both.
     */
    static PipeInterruptedException interrupted(DrivenConnection connection, String operation, String waiting, InterruptedException e) {
        connection.close();
        Thread.currentThread().interrupt();
        return new PipeInterruptedException(operation, PipeException.NO_CODE,
                "interrupted while " + waiting + "; the connection is closed", e);
    }
}
