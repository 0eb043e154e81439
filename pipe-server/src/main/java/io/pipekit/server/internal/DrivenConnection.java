package io.pipekit.server.internal;

import io.pipekit.core.PeerClosedException;
import io.pipekit.core.PipeClosedException;
import io.pipekit.core.PipeException;
import io.pipekit.core.SendQueueFullException;
import io.pipekit.core.transport.ServerConnection;
import io.pipekit.core.transport.ServerLoop;
import io.pipekit.server.Connection;
import io.pipekit.server.ConnectionHandler;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
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
 * <p>Threads: {@link #send} and {@link #close} hop to the loop thread with
 * {@link ServerLoop#execute}; everything else runs there. The byte count is the one piece of
 * state both sides touch, and it is atomic.
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
    private volatile boolean open = true;

    // Loop-thread state: the sends written or being written, oldest first.
    private final ArrayDeque<Outgoing> writing = new ArrayDeque<>();
    private boolean closedHere;

    private record Outgoing(CompletableFuture<Void> written, int bytes) {
    }

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
        connection.read();
    }

    @Override
    public long id() {
        return connection.id();
    }

    @Override
    public long clientProcessId() {
        return connection.clientProcessId();
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public CompletionStage<Void> send(byte[] message) {
        String operation = "send to client " + connection.id();
        if (!open) {
            return CompletableFuture.failedFuture(new PipeClosedException(operation, PipeException.NO_CODE, "the connection is closed"));
        }
        int bytes = message.length;
        long queued = queuedBytes.addAndGet(bytes);
        // One message is always accepted into an empty queue, however long: the bound limits what
        // waits behind it.
        if (queued > maxQueuedBytes && queued != bytes) {
            queuedBytes.addAndGet(-bytes);
            return CompletableFuture.failedFuture(new SendQueueFullException(operation,
                    (queued - bytes) + " bytes already wait to be written, and the bound is " + maxQueuedBytes
                            + ": the client is not reading"));
        }
        CompletableFuture<Void> written = new CompletableFuture<>();
        Outgoing outgoing = new Outgoing(written, bytes);
        if (!loop.execute(() -> write(outgoing, message))) {
            queuedBytes.addAndGet(-bytes);
            written.completeExceptionally(new PipeClosedException(operation, PipeException.NO_CODE, "the server has stopped"));
        }
        return written;
    }

    private void write(Outgoing outgoing, byte[] message) {
        if (!open) {
            queuedBytes.addAndGet(-outgoing.bytes());
            outgoing.written().completeExceptionally(closedFailure());
            return;
        }
        writing.add(outgoing);
        connection.write(message);
    }

    @Override
    public void close() {
        loop.execute(() -> {
            closedHere = true;
            connection.close();
        });
    }

    // --- ServerConnection.Listener, on the loop thread ------------------------------------------

    @Override
    public void messageRead(byte[] message) {
        connection.read(); // keep a read pending while the handler runs, and while it pushes
        try {
            handler.messageReceived(this, message);
        } catch (RuntimeException | Error e) {
            failed("messageReceived", e);
        }
    }

    @Override
    public void messageWritten() {
        Outgoing done = writing.poll();
        if (done != null) {
            queuedBytes.addAndGet(-done.bytes());
            done.written().complete(null);
        }
    }

    @Override
    public void closed(PipeException cause) {
        open = false;
        PipeException failure = closedFailure();
        for (Outgoing left; (left = writing.poll()) != null; ) {
            queuedBytes.addAndGet(-left.bytes());
            left.written().completeExceptionally(failure);
        }
        try {
            handler.closed(this, cause);
        } catch (RuntimeException | Error e) {
            LOG.log(Level.WARNING, "the connection handler failed in closed() for client " + id(), e);
        } finally {
            onClosed.accept(this);
        }
    }

    private PipeException closedFailure() {
        String operation = "send to client " + connection.id();
        return closedHere || serverClosing.getAsBoolean()
                ? new PipeClosedException(operation, PipeException.NO_CODE, "the connection was closed before the message was written")
                : new PeerClosedException(operation, PipeException.NO_CODE, "the client left before the message was written");
    }

    private void failed(String method, Throwable e) {
        LOG.log(Level.WARNING, "the connection handler failed in " + method + " for client " + id() + "; closing its connection", e);
        closedHere = true;
        connection.close();
    }
}
