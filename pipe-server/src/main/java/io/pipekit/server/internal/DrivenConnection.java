package io.pipekit.server.internal;

import io.pipekit.core.PeerClosedException;
import io.pipekit.core.PeerIdentity;
import io.pipekit.core.PipeClosedException;
import io.pipekit.core.PipeException;
import io.pipekit.core.SendQueueFullException;
import io.pipekit.core.transport.ServerConnection;
import io.pipekit.core.transport.ServerLoop;
import io.pipekit.server.Connection;
import io.pipekit.server.ConnectionHandler;
import java.lang.System.Logger.Level;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * A {@link Connection} over a transport's {@link ServerConnection}: reads continuously (the next
 * read is pending before the handler hears a message), and sends from any thread through the
 * loop, in order, within a bound on the bytes waiting to be written.
 *
 * <p>Threads: {@link #send} and {@link #close} may come from any thread; everything else runs on
 * the loop thread. Sends meet the loop in one queue guarded by a lock: a sender appends, and asks
 * the loop (with {@link ServerLoop#execute}) to hand the queue to the transport only if no such
 * request is outstanding, so a burst of sends costs one hop to the loop, and a send allocates
 * nothing beyond the future it returns. The byte count is atomic, so a full queue is refused
 * without taking the lock.
 */
public final class DrivenConnection implements Connection, ServerConnection.Listener {
    private static final System.Logger LOG = System.getLogger("io.pipekit.server");

    private final ServerConnection connection;
    private final ServerLoop loop;
    private final ConnectionHandler handler;
    private final long maxQueuedBytes;
    private final BooleanSupplier serverClosing;
    private final Consumer<DrivenConnection> onOpened;
    private final Consumer<DrivenConnection> onClosed;
    private final AtomicLong queuedBytes = new AtomicLong();
    private final Runnable handOut = this::handOut;
    private volatile boolean open = true;

    // Guarded by `sends`: every accepted send not yet written, oldest first. The first `handedOut`
    // of them are with the transport; `handOutQueued` says a handOut task is on its way to the loop;
    // `finished` says the connection is over, and no send is accepted any more.
    private final Object sends = new Object();
    private final SendQueue queue = new SendQueue();
    // Loop thread only: the sends one handOut takes from the queue, reused from batch to batch.
    private byte[][] batch = new byte[8][];
    private int handedOut;
    private boolean handOutQueued;
    private boolean finished;

    // Set on the loop thread; read by a sender that finds the connection over.
    private volatile boolean closedHere;

    // Loop-thread state: no further read is asked for while paused. Whether to pause is asked of
    // `behind` alone, after each message and again when a resume comes: a handler keeps no pause
    // flag of its own that could disagree with this one.
    private boolean readingPaused;
    private BooleanSupplier behind = () -> false;
    private final Runnable resume = this::resumeOnLoop;

    /**
     * @param serverClosing whether the server is being closed: then messages it could not write
     *     fail as closed on this side, not as the client's leaving
     * @param onOpened told once the handler has heard of the connection (the server lists it from
     *     then on: what {@code connected} sends goes out before anything sent by those who find it
     *     in the list)
     * @param onClosed told once it is closed
     */
    public DrivenConnection(ServerConnection connection, ServerLoop loop, ConnectionHandler handler, long maxQueuedBytes,
            BooleanSupplier serverClosing, Consumer<DrivenConnection> onOpened, Consumer<DrivenConnection> onClosed) {
        this.connection = connection;
        this.loop = loop;
        this.handler = handler;
        this.maxQueuedBytes = maxQueuedBytes;
        this.serverClosing = serverClosing;
        this.onOpened = onOpened;
        this.onClosed = onClosed;
    }

    /** Tells the handler, lists the connection, then starts reading (on the loop thread). */
    public void start() {
        try {
            handler.connected(this);
        } catch (RuntimeException | Error e) {
            failed("connected", e);
            return;
        }
        if (open) {
            onOpened.accept(this);
        }
        if (!readingPaused) {
            connection.read();
        }
    }

    /**
     * On the loop thread, before the first message: flow control for a consumer that takes input
     * slower than it arrives. After each message the handler has taken, {@code behind} (asked on
     * the loop thread only) says whether the consumer is behind; if it is, no input is asked for
     * after the read already in flight, until a {@link #resumeReading()} finds it caught up. The
     * client then fills the pipe and blocks, rather than the server holding whatever it sends.
     */
    public void pauseReadingWhile(BooleanSupplier behind) {
        this.behind = behind;
    }

    /**
     * From any thread: the consumer may have caught up. The loop asks {@code behind} again, and
     * reads on only if it says no: a message that arrived before this resume ran, from the read
     * that was in flight when reading paused, may have put the consumer behind again.
     */
    public void resumeReading() {
        loop.execute(resume);
    }

    /**
     * From any thread: runs {@code task} later, as a task of its own on the loop thread, even when
     * called there: for work that must not run inside whatever call found it due.
     */
    public void onLoop(Runnable task) {
        loop.execute(task);
    }

    private void resumeOnLoop() {
        if (readingPaused && !behind.getAsBoolean()) {
            readingPaused = false;
            if (open) {
                connection.read();
            }
        }
    }

    /**
     * From any thread: a stage that completes (never exceptionally) once every send accepted so
     * far has been written or has failed, so that the send queue has room again; at once if it is
     * empty. It completes on the loop thread, or on the caller's. A sender the bound refused waits
     * for this, not for a send of its own, which may be long written while others fill the queue.
     */
    public CompletableFuture<Void> drained() {
        CompletableFuture<Void> newest;
        synchronized (sends) {
            newest = queue.size() == 0 ? null : queue.newestFuture();
        }
        return newest == null ? CompletableFuture.completedFuture(null) : newest.handle((ok, failure) -> null);
    }

    @Override
    public long id() {
        return connection.id();
    }

    @Override
    public PeerIdentity peer() {
        return connection.clientIdentity();
    }

    @Override
    public <T> T runAsClient(Callable<T> work) throws Exception {
        return connection.runAsClient(work);
    }

    @Override
    public boolean canRunAsClient() {
        return connection.canRunAsClient();
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public CompletionStage<Void> send(byte[] message) {
        if (!open) {
            // Whoever ended it: this side (PipeClosedException) or the client (PeerClosedException).
            return CompletableFuture.failedFuture(closedFailure());
        }
        int bytes = message.length;
        long queued = queuedBytes.addAndGet(bytes);
        // One message is always accepted into an empty queue, however long: the bound limits what
        // waits behind it.
        if (queued > maxQueuedBytes && queued != bytes) {
            queuedBytes.addAndGet(-bytes);
            return CompletableFuture.failedFuture(new SendQueueFullException(sendOperation(),
                    (queued - bytes) + " bytes already wait to be written, and the bound is " + maxQueuedBytes
                            + ": the client is not reading"));
        }
        CompletableFuture<Void> written = new CompletableFuture<>();
        boolean askLoop;
        synchronized (sends) {
            if (finished) {
                askLoop = false;
                written = null;
            } else {
                queue.add(message, written);
                askLoop = !handOutQueued;
                handOutQueued = true;
            }
        }
        if (written == null) {
            queuedBytes.addAndGet(-bytes);
            return CompletableFuture.failedFuture(closedFailure());
        }
        // If the loop has stopped, it told this connection closed() first, and that failed the send.
        if (askLoop) {
            loop.execute(handOut);
        }
        return written;
    }

    /**
     * On the loop thread: gives the transport every send it does not have yet, in order, taking
     * them from the queue under one lock and handing them over in one call, so that a pusher and
     * the loop meet on the lock once per batch and the transport may write the batch at once.
     */
    private void handOut() {
        while (true) {
            int count;
            synchronized (sends) {
                count = queue.size() - handedOut;
                if (count == 0) {
                    handOutQueued = false; // a send from now on asks the loop again
                    return;
                }
                if (batch.length < count) {
                    batch = new byte[Math.max(count, 2 * batch.length)][];
                }
                for (int i = 0; i < count; i++) {
                    batch[i] = queue.message(handedOut + i);
                }
                handedOut += count;
            }
            try {
                connection.write(batch, count); // may report some written before returning
            } catch (RuntimeException | Error e) {
                // The transport's state is unknown now: whether it took the messages, and whether
                // a messageWritten will come for each. Writing on could pair completions with the
                // wrong sends, or leave a hole in the client's stream; close, and let closed() fail
                // what waits. A later send asks the loop again rather than finding a hand-out pending.
                synchronized (sends) {
                    handOutQueued = false;
                }
                LOG.log(Level.WARNING, "writing to client " + id() + " failed; closing its connection", e);
                closedHere = true;
                connection.close();
                return;
            } finally {
                Arrays.fill(batch, 0, count, null); // the transport keeps what it needs
            }
        }
    }

    @Override
    public void close() {
        loop.execute(() -> {
            closedHere = true;
            connection.close();
        });
    }

    /**
     * From any thread: ends this side's sending once every send accepted so far is written, where
     * the transport can tell the client ({@link ServerConnection#shutdownOutput()}). The sends
     * before it reach the loop first: each send's hand-out is asked of the loop before it returns.
     */
    public void shutdownOutput() {
        loop.execute(() -> {
            if (open) {
                connection.shutdownOutput();
            }
        });
    }

    /**
     * From any thread: closes, leaving what is written and the client has not read yet for it
     * to read ({@link ServerConnection#closeKeepingUnread()}). For a close once every send is
     * written: sends still waiting fail, as with {@link #close()}.
     */
    public void closeKeepingUnread() {
        loop.execute(() -> {
            closedHere = true;
            connection.closeKeepingUnread();
        });
    }

    // --- ServerConnection.Listener, on the loop thread ------------------------------------------

    @Override
    public void messageRead(byte[] message) {
        if (!readingPaused) {
            connection.read(); // keep a read pending while the handler runs, and while it pushes
        }
        try {
            handler.messageReceived(this, message);
        } catch (RuntimeException | Error e) {
            failed("messageReceived", e);
            return;
        }
        if (!readingPaused && behind.getAsBoolean()) {
            readingPaused = true; // the read in flight may still deliver; none is asked for after it
        }
    }

    /** The client half-closed: kept open for writing only if the handler reads input as a stream that can end ({@link InputEnds}). */
    @Override
    public boolean inputEnded() {
        if (!(handler instanceof InputEnds ends)) {
            return false;
        }
        try {
            return ends.inputEnded(this);
        } catch (RuntimeException | Error e) {
            failed("inputEnded", e);
            return false;
        }
    }

    @Override
    public void messageWritten() {
        CompletableFuture<Void> done;
        int bytes;
        synchronized (sends) {
            if (handedOut == 0) {
                return;
            }
            bytes = queue.firstLength();
            done = queue.removeFirst();
            handedOut--;
        }
        queuedBytes.addAndGet(-bytes);
        done.complete(null); // outside the lock: what depends on it may send again
    }

    @Override
    public void closed(PipeException cause) {
        open = false;
        synchronized (sends) {
            finished = true;
            handedOut = 0; // the transport has let go of them all
        }
        PipeException failure = closedFailure();
        while (true) {
            CompletableFuture<Void> left;
            int bytes;
            synchronized (sends) {
                if (queue.size() == 0) {
                    break;
                }
                bytes = queue.firstLength();
                left = queue.removeFirst();
            }
            queuedBytes.addAndGet(-bytes);
            left.completeExceptionally(failure);
        }
        try {
            handler.closed(this, cause);
        } catch (RuntimeException | Error e) {
            LOG.log(Level.WARNING, "the connection handler failed in closed() for client " + id(), e);
        } finally {
            onClosed.accept(this);
        }
    }

    /**
     * Whether this side ended the connection: a {@link #close()}, a {@link #closeKeepingUnread()},
     * a handler's failure, or the server closing; otherwise the client left (or has not yet).
     */
    public boolean closedByThisSide() {
        return closedHere || serverClosing.getAsBoolean();
    }

    private String sendOperation() {
        return "send to client " + connection.id();
    }

    private PipeException closedFailure() {
        String operation = sendOperation();
        return closedByThisSide()
                ? new PipeClosedException(operation, PipeException.NO_CODE, "the connection was closed before the message was written")
                : new PeerClosedException(operation, PipeException.NO_CODE, "the client left before the message was written");
    }

    private void failed(String method, Throwable e) {
        LOG.log(Level.WARNING, "the connection handler failed in " + method + " for client " + id() + "; closing its connection", e);
        closedHere = true;
        connection.close();
    }
}
