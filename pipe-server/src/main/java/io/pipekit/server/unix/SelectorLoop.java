package io.pipekit.server.unix;

import io.pipekit.core.PipeException;
import io.pipekit.core.PeerIdentity;
import io.pipekit.core.PipeType;
import io.pipekit.core.unix.AsideMoves;
import io.pipekit.core.unix.AsideSocket;
import io.pipekit.core.unix.PeerCredentials;
import io.pipekit.core.transport.ServerConfig;
import io.pipekit.core.transport.ServerConnection;
import io.pipekit.core.transport.ServerLoop;
import io.pipekit.core.unix.SocketLock;
import io.pipekit.core.unix.SocketPaths;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.StandardProtocolFamily;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import io.pipekit.core.PipeIoException;
import io.pipekit.core.PipeClosedException;

/**
 * The server loop on Unix domain sockets, on one thread: {@code Selector.select()} stands in
 * for the alertable {@code WaitForSingleObjectEx}, readiness events for completion routines,
 * and {@code Selector.wakeup()} for {@code QueueUserAPC}.
 *
 * <p>First-instance semantics as on Windows: a live server on the same socket path is refused;
 * a socket file left by a crashed server (nobody accepts on it) is replaced. The server holds
 * the path's {@link SocketLock} from before it looks at the path until after it has removed its
 * socket, so two servers starting together cannot both take it. Only clients of the same
 * effective uid are served (from {@code SO_PEERCRED}).
 *
 * <p>The listen backlog is as long as the system allows ({@code somaxconn}), so a burst of
 * non-blocking connects is queued rather than refused with {@code EAGAIN}. With
 * {@code maxInstances} below unlimited, the server stops listening while that many clients are
 * connected: its socket file moves aside ({@link AsideSocket}) and it stops accepting, and what the
 * backlog held by then waits, accepted, for a free instance. A client then finds no socket while
 * the lock is held, which it reports as busy, as Windows reports {@code ERROR_PIPE_BUSY}. The
 * listener itself stays open, so a client that found the file a moment before is neither refused
 * nor reset: it waits in the backlog. The file goes back once an instance is free, after the same
 * check of the path as at open (whatever appeared there meanwhile and is no stale socket is left
 * alone); a re-listen that fails is logged and tried again later, with a growing pause.
 */
public final class SelectorLoop implements ServerLoop {
    private static final System.Logger LOG = System.getLogger("io.pipekit.server");
    /** Socket reads take at least this much at once; the pipe buffer size is a Windows notion. */
    private static final int MIN_READ_CHUNK = 64 * 1024;
    /**
     * {@code listen(2)}'s backlog: all the system allows. Linux and macOS both cut a larger
     * request down to their {@code somaxconn}; {@code listeningInstances} has no part in it.
     */
    static final int BACKLOG = SocketClaim.BACKLOG;
    /** The first pause before a failed re-listen is tried again; each failure doubles it, up to the last. */
    static final long RELISTEN_FIRST_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(50);
    static final long RELISTEN_MAX_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(2);
    /**
     * How often connections whose client half-closed are asked whether it has closed too. Their
     * read interest is off (the end of the stream is always readable: the selector would spin),
     * so no event tells the loop that the client went; only a {@code poll} of each does. A
     * client's close is seen within this much, at one system call per such connection each time,
     * and a loop with none of them waits without a limit, as before.
     */
    static final long HALF_CLOSED_CHECK_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(50);

    private final ServerConfig config;
    private final Acceptor acceptor;
    private final SocketClaim.SocketFileSetup socketFileSetup;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final java.util.function.Consumer<SelectionKey> dispatcher = this::dispatch;
    private final java.util.ArrayDeque<Runnable> deferred = new java.util.ArrayDeque<>(); // loop thread only
    private final Set<UnixConnection> connections = new LinkedHashSet<>();
    private final Set<UnixConnection> halfClosed = new LinkedHashSet<>(); // watched for their client's close; loop thread only
    private long halfClosedCheckAtNanos; // when they are asked next, while halfClosed is not empty
    private final Object lifecycle = new Object();
    private Selector selector;
    private ServerSocketChannel server;
    private SelectionKey acceptKey;
    private Path socketPath;
    private boolean bound; // only a socket file we bound is ours to delete
    private boolean full; // at maxInstances: not accepting; loop thread only
    private AsideSocket parked; // the socket file while it is moved aside, else null; loop thread only
    private final AsideMoves asideMoves = new AsideMoves(LOG, "maxInstances"); // loop thread only
    private SocketLock lock; // held from before the path is claimed until after its socket is removed
    private final java.util.ArrayDeque<SocketChannel> waiting = new java.util.ArrayDeque<>(); // beyond maxInstances; loop thread only
    private long ownUid;
    private long nextId = 1;
    private long relistenPause; // 0 while no re-listen has failed; loop thread only
    private long relistenAtNanos; // when a failed re-listen is due again, if relistenPause > 0
    private boolean stopping; // no longer accepting: the loop ends once its connections have
    private boolean closingConnections; // stop() has closed every connection
    private boolean finished;
    private volatile boolean stopRequested; // sticky: a stop before the selector exists is not lost

    public SelectorLoop(ServerConfig config, Acceptor acceptor) {
        this(config, acceptor, SocketClaim.OWNER_ONLY);
    }

    SelectorLoop(ServerConfig config, Acceptor acceptor, SocketClaim.SocketFileSetup socketFileSetup) {
        this.config = config;
        this.acceptor = acceptor;
        this.socketFileSetup = socketFileSetup;
    }

    @Override
    public void open() throws PipeException {
        if (stopRequested) {
            throw new PipeClosedException("bind " + config.name().name(), PipeException.NO_CODE, "the server was stopped before it opened");
        }
        if (config.securityDescriptor() != null) {
            LOG.log(Level.WARNING, "an SDDL security descriptor applies to Windows pipes only; on Unix the socket's "
                    + "directory is owner-only and clients of other users are refused");
        }
        socketPath = SocketPaths.forName(config.name());
        String operation = "bind " + socketPath;
        try {
            ownUid = PeerCredentials.currentUid(); // the kernel's uid, not user.name, which -Duser.name overrides
            lock = SocketClaim.lockAndClaim(config.name(), socketPath, operation);
            synchronized (lifecycle) {
                selector = Selector.open();
            }
            listen();
        } catch (IOException | RuntimeException | Error e) {
            closeQuietly(); // whatever failed: the lock taken above must not outlive this open()
            if (e instanceof IOException io) {
                throw io instanceof PipeException pipe ? pipe : new PipeIoException(operation, PipeException.NO_CODE, e.toString(), e);
            }
            if (e instanceof RuntimeException unchecked) {
                throw unchecked;
            }
            throw (Error) e;
        }
    }

    /**
     * Binds and listens on the socket path, which must be free; the lock is held. {@code server}
     * and {@code acceptKey} are set only once all of it succeeded: a failure leaves neither a
     * half-open listener nor a socket file of ours behind.
     */
    private void listen() throws IOException {
        ServerSocketChannel opened = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        boolean boundHere = false;
        try {
            SocketClaim.bindOwnerOnly(opened, socketPath, BACKLOG, socketFileSetup); // removes its socket file if it fails
            boundHere = true;
            opened.configureBlocking(false);
            acceptKey = opened.register(selector, SelectionKey.OP_ACCEPT);
            server = opened;
            bound = true;
        } catch (IOException | RuntimeException | Error e) {
            try {
                opened.close();
            } catch (IOException ignored) {
                // already failing
            }
            if (boundHere) {
                try {
                    Files.deleteIfExists(socketPath); // the socket we just bound, under our lock
                } catch (IOException notRemoved) {
                    e.addSuppressed(notRemoved);
                }
            }
            throw e;
        }
    }

    @Override
    public void run() throws PipeException {
        try {
            if (stopRequested) {
                beginStop(); // asked while opening, before execute could take the stop
            }
            while (!(stopping && connections.isEmpty())) {
                // The Consumer forms hand each ready key straight to dispatch: no selected-key set
                // to iterate, so no iterator allocated per wake-up.
                if (deferred.isEmpty() && tasks.isEmpty()) {
                    long timeout = timeoutMillis();
                    if (timeout < 0) {
                        selector.select(dispatcher);
                    } else {
                        selector.select(dispatcher, timeout); // never 0 here: 0 would mean no limit
                    }
                } else {
                    selector.selectNow(dispatcher); // work is waiting: look for events without blocking
                }
                runTasks();
                for (int n = deferred.size(); n > 0; n--) {
                    deferred.poll().run();
                }
                if (relistenPause > 0 && !stopping && System.nanoTime() - relistenAtNanos >= 0) {
                    admitWaitingOrListen();
                }
                if (!halfClosed.isEmpty() && System.nanoTime() - halfClosedCheckAtNanos >= 0) {
                    checkHalfClosed();
                }
            }
        } catch (IOException e) {
            throw new PipeIoException("select", PipeException.NO_CODE, e.toString(), e);
        } finally {
            for (UnixConnection connection : new ArrayList<>(connections)) {
                connection.close();
            }
            closeQuietly();
        }
    }

    /**
     * How long select may wait before timed work is due (a failed re-listen tried again, the
     * half-closed connections asked); -1 if none is.
     */
    long timeoutMillis() { // package-private: the tests ask it on the loop thread
        long relisten = relistenPause == 0 || stopping ? -1 : millisUntil(relistenAtNanos);
        long check = halfClosed.isEmpty() ? -1 : millisUntil(halfClosedCheckAtNanos);
        return relisten < 0 ? check : check < 0 ? relisten : Math.min(relisten, check);
    }

    /** At least 1: select takes 0 for no limit. */
    private static long millisUntil(long atNanos) {
        long left = atNanos - System.nanoTime();
        return Math.max(1, java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(left) + 1);
    }

    /**
     * Watches a connection whose client half-closed, and which stays open for writing, for that
     * client's close: read interest no longer tells it.
     */
    void watchHalfClosed(UnixConnection connection) {
        if (halfClosed.isEmpty()) {
            halfClosedCheckAtNanos = System.nanoTime() + HALF_CLOSED_CHECK_NANOS;
        }
        halfClosed.add(connection);
    }

    /** Ends each half-closed connection whose client has closed since, as a client that left. */
    private void checkHalfClosed() {
        for (UnixConnection connection : new ArrayList<>(halfClosed)) { // an ending one leaves the set
            connection.endIfClientGone();
        }
        halfClosedCheckAtNanos = System.nanoTime() + HALF_CLOSED_CHECK_NANOS;
    }

    private void dispatch(SelectionKey key) {
        if (!key.isValid()) {
            return;
        }
        if (key == acceptKey) {
            accept();
            return;
        }
        UnixConnection connection = (UnixConnection) key.attachment();
        try {
            // Both may be ready at once now that a connection reads while it writes: serve both,
            // or a client that keeps sending would starve the frames waiting to go to it.
            if (key.isReadable()) {
                connection.readable();
            }
            if (key.isValid() && key.isWritable()) {
                connection.writable();
            }
        } catch (RuntimeException | Error e) {
            LOG.log(Level.ERROR, "serving client " + connection.id() + " failed; closing its connection", e);
            connection.close();
        }
    }

    private void accept() {
        SocketChannel channel;
        try {
            channel = server.accept();
            if (channel == null) {
                return;
            }
        } catch (IOException | RuntimeException | Error e) {
            LOG.log(Level.WARNING, "accept on " + socketPath + " failed", e);
            return;
        }
        admit(channel);
    }

    /** Serves an accepted client, if it is of this server's uid. */
    private void admit(SocketChannel channel) {
        UnixConnection connection = null;
        try {
            PeerIdentity peer = PeerCredentials.of(channel); // before anything is read: the admission sees it
            if (!SocketClaim.sameUid(peer, ownUid)) {
                LOG.log(Level.WARNING, SocketClaim.refusal(peer, ownUid, socketPath));
                channel.close();
                return;
            }
            channel.configureBlocking(false);
            SelectionKey key = channel.register(selector, 0);
            connection = new UnixConnection(this, channel, key, nextId++, peer,
                    config.maxMessageSize(), Math.max(config.inBufferSize(), MIN_READ_CHUNK), config.outBufferSize(),
                    config.pipeType() == PipeType.MESSAGE);
            key.attach(connection);
            connections.add(connection);
            if (!full && !config.allowsAnotherInstance(connections.size())) {
                stopListening();
            }
            ServerConnection.Listener listener = acceptor.accepted(connection);
            connection.setListener(listener);
        } catch (IOException | RuntimeException | Error e) {
            // An Error too (an acceptor's, or a native library's): as for a failing connection in
            // dispatch, it costs this client its connection, not every client the loop.
            LOG.log(Level.WARNING, "accepting a client on " + socketPath + " failed", e);
            if (connection != null) {
                connection.close(); // and forgotten: else it held an instance, and the loop never stopped
                return;
            }
            try {
                channel.close();
            } catch (IOException ignored) {
                // already failing
            }
        }
    }

    /** Runs {@code work} on the loop thread after the current events (the loop thread only). */
    void defer(Runnable work) {
        deferred.add(work);
    }

    /**
     * At {@code maxInstances}: stops listening, so that clients find the pipe busy rather than
     * queue unseen in a backlog. The socket file moves aside first: a connect finds a socket by
     * its path, so none can join the backlog by it after that; what the backlog holds is then
     * accepted, to wait for a free instance. The listener stays open (closing it would refuse or
     * reset a client that found the file a moment before), and the lock stays held: clients that
     * find no socket while it is held say busy.
     */
    private void stopListening() {
        full = true;
        acceptKey.interestOps(0);
        if (parked == null) { // else it is still aside: putting it back failed since the server was last full
            // If it cannot move, clients wait in the backlog, connected to themselves, instead of
            // seeing busy: still no more than maxInstances are served.
            parked = asideMoves.park(socketPath);
            if (parked != null) {
                bound = false; // whatever is at the path from now on is not ours to delete
            }
        }
        if (parked == null) {
            return; // the backlog then holds whoever comes, up to somaxconn, accepted in turn later
        }
        try {
            for (SocketChannel pending; (pending = server.accept()) != null; ) {
                waiting.add(pending);
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "accept on " + socketPath + " failed", e);
        }
    }

    /**
     * Below {@code maxInstances} again: serves the clients that wait, accepts again, then puts the
     * socket file back. Accepting does not wait for the file: clients that reached the listener
     * while it was aside (through a link of their own) are served even while putting it back fails.
     */
    private void admitWaitingOrListen() {
        while (!stopping && !waiting.isEmpty() && config.allowsAnotherInstance(connections.size())) {
            admit(waiting.poll());
        }
        if (stopping || !waiting.isEmpty() || !config.allowsAnotherInstance(connections.size())) {
            relistenPause = 0; // nothing to retry now: the next release that frees an instance asks again
            return;
        }
        if (full && server != null) {
            acceptKey.interestOps(SelectionKey.OP_ACCEPT);
            full = false;
        }
        if (parked == null && server != null) {
            relistenPause = 0;
            return;
        }
        String operation = "listen again on " + socketPath;
        try {
            // The path was free while we did not listen, for anyone to put something there:
            // only a stale socket is replaced, as at open.
            SocketClaim.claimPath(socketPath, operation);
            if (server == null) {
                listen(); // the aside socket was removed, and the last try to replace it failed
                full = false;
            } else {
                unpark();
            }
            relistenPause = 0;
        } catch (IOException | RuntimeException e) {
            relistenPause = relistenPause == 0 ? RELISTEN_FIRST_NANOS : Math.min(2 * relistenPause, RELISTEN_MAX_NANOS);
            relistenAtNanos = System.nanoTime() + relistenPause;
            LOG.log(Level.ERROR, "listening on " + socketPath + " again failed; no new client can connect until it succeeds"
                    + " (tried again in " + java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(relistenPause) + " ms)", e);
        }
    }

    /**
     * Puts the socket file back at its path. If someone removed the aside name meanwhile, no
     * client can reach the listener by a path again: a new one takes its place, and the clients in
     * the old one's backlog (which found it through a link of their own) wait for an instance.
     */
    private void unpark() throws IOException {
        try {
            parked.unpark();
            parked = null;
            bound = true;
            return;
        } catch (java.nio.file.NoSuchFileException removed) {
            LOG.log(Level.WARNING, parked.path() + " was removed while " + socketPath + " was full; listening on a new socket");
        }
        parked = null;
        ServerSocketChannel unreachable = server;
        server = null;
        full = true; // nothing accepts until the new listener does
        acceptKey.cancel();
        try {
            // Its backlog holds clients that reached it through links of their own: they wait for
            // an instance as the ones accepted at the limit do, rather than being reset.
            for (SocketChannel pending; (pending = unreachable.accept()) != null; ) {
                waiting.add(pending);
            }
        } catch (IOException e) {
            LOG.log(Level.WARNING, "accept on the listener moved aside from " + socketPath + " failed", e);
        }
        try {
            unreachable.close();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "closing the listener moved aside from " + socketPath + " failed", e);
        }
        listen();
        if (waiting.isEmpty()) {
            full = false;
        } else {
            // The waiting ones first: until they are served the new file goes aside too, as at the
            // limit, and whatever its backlog gathered meanwhile waits behind them.
            stopListening();
            defer(this::admitWaitingOrListen);
        }
    }

    /** A connection has closed its socket. */
    void released(UnixConnection connection) {
        connections.remove(connection);
        halfClosed.remove(connection);
        if (!stopping && config.allowsAnotherInstance(connections.size())
                && (full || parked != null || server == null || !waiting.isEmpty())) {
            defer(this::admitWaitingOrListen); // after the current events: a close may come from inside a dispatch
        }
    }

    /** How many accepted clients wait for an instance (the loop thread only; tests ask through {@link #execute}). */
    int waitingClients() {
        return waiting.size();
    }

    @Override
    public boolean execute(Runnable task) {
        synchronized (lifecycle) {
            if (finished || selector == null) {
                return false;
            }
            tasks.add(task);
            selector.wakeup();
            return true;
        }
    }

    @Override
    public String endpoint() {
        return String.valueOf(socketPath);
    }

    @Override
    public void stop() {
        stopRequested = true;
        execute(this::beginStop);
    }

    @Override
    public java.util.concurrent.CompletableFuture<Void> stopAccepting() {
        return ServerLoop.whenRun(this, this::endAccepting); // at once if the loop has finished: nothing listens
    }

    private void beginStop() {
        endAccepting();
        if (closingConnections) {
            return;
        }
        closingConnections = true;
        for (UnixConnection connection : new ArrayList<>(connections)) {
            connection.close();
        }
    }

    /** No new client from here on: the listener, its socket file and the lock go; connections stay. */
    private void endAccepting() {
        if (stopping) {
            return;
        }
        stopping = true;
        if (acceptKey != null) { // null when a stop queued during a failing open() runs as it cleans up
            acceptKey.cancel();
        }
        closeServerSocket();
    }

    private void runTasks() {
        for (Runnable task; (task = tasks.poll()) != null; ) {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                LOG.log(Level.ERROR, "task on the server thread failed", e);
            }
        }
    }

    private void closeServerSocket() {
        if (server != null) {
            try {
                server.close();
            } catch (IOException e) {
                LOG.log(Level.WARNING, "closing " + socketPath + " failed", e);
            }
            server = null;
        }
        if (bound) {
            bound = false;
            try {
                Files.deleteIfExists(socketPath);
            } catch (IOException e) {
                LOG.log(Level.WARNING, "removing " + socketPath + " failed", e);
            }
        }
        if (parked != null) {
            parked.remove(); // only if it is still ours
            parked = null;
        }
        for (SocketChannel unserved; (unserved = waiting.poll()) != null; ) {
            try {
                unserved.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        if (lock != null) {
            lock.close(); // after the socket is gone: a server that takes the lock next finds the path free
            lock = null;
        }
    }

    private void closeQuietly() {
        closeServerSocket();
        synchronized (lifecycle) {
            finished = true; // from here execute refuses: nothing can queue behind the tasks run below
        }
        // Tasks execute accepted since the last round: it promised they run, so they run, now
        // that every connection has closed (they find them closed), rather than being dropped.
        runTasks();
        if (selector != null) {
            try {
                selector.close();
            } catch (IOException e) {
                LOG.log(Level.WARNING, "closing the selector failed", e);
            }
        }
    }

    void log(Level level, String message) {
        LOG.log(level, message);
    }
}
