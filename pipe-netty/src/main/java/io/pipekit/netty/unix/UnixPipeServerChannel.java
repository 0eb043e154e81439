package io.pipekit.netty.unix;

import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.nio.AbstractNioChannel;
import io.netty.channel.nio.AbstractNioMessageChannel;
import io.pipekit.core.PeerIdentity;
import io.pipekit.core.unix.AsideMoves;
import io.pipekit.core.unix.AsideSocket;
import io.pipekit.core.unix.PeerCredentials;
import io.pipekit.core.unix.SocketLock;
import io.pipekit.core.unix.SocketPaths;
import io.pipekit.netty.NettyPipeAddress;
import io.pipekit.netty.PipeServerChannel;
import io.pipekit.server.internal.AdmissionCheck;
import io.pipekit.server.unix.SocketClaim;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A listening Unix domain socket on Netty's NIO event loop, bound the way pipekit's own server binds
 * ({@link SocketClaim}): the socket's directory checked, the path's lock held while it serves, a
 * stale socket replaced and a live server refused, the socket file owner-only. Each accepted client
 * is checked before any channel exists for it: a client of another uid is refused, then the
 * {@link io.pipekit.netty.PipeChannelOption#ADMISSION} decides; only an admitted one becomes a
 * {@link UnixPipeChannel} with its identity.
 *
 * <p>With {@link io.pipekit.netty.PipeChannelOption#MAX_INSTANCES} below unlimited, it stops listening
 * while that many of its children are open, as pipekit's {@code SelectorLoop} does: the socket file is
 * moved aside (a hard link kept beside it under a name no pipe can have, because a bound socket cannot be
 * bound to its path again), so a client finds no socket while the lock is held, which pipekit's clients
 * and pipe-netty's report as busy and wait on, as Windows clients wait on {@code ERROR_PIPE_BUSY}.
 * Clients the backlog held by then are accepted and wait, unseen by any pipeline, for an instance;
 * the listener stays open, so a client that found the file just before the move (through its own
 * link to it, {@code SocketPin}) waits in the backlog. When a child closes, the waiting ones are
 * served first; then the server accepts again, and the file goes back to its path if nothing else
 * took it. A server that cannot move its file aside keeps its limit all the same: clients then
 * queue in its backlog.
 *
 * <p>Netty's {@code NioServerDomainSocketChannel} does the same on a plain path, and is final: this
 * follows its structure.
 */
public final class UnixPipeServerChannel extends AbstractNioMessageChannel implements PipeServerChannel {
    private static final System.Logger LOG = System.getLogger("io.pipekit.netty");
    private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);

    private final UnixPipeServerChannelConfig config;
    private volatile NettyPipeAddress local; // set once bound: isActive
    // The loop thread's only, from bind to close.
    private Path socketPath;
    private SocketLock lock;
    private long ownUid;
    private long nextClient = 1;
    private int liveChildren;
    /** Accepted while every instance was taken: served, in order, as children close. */
    private final java.util.ArrayDeque<SocketChannel> waiting = new java.util.ArrayDeque<>();
    /** At {@code MAX_INSTANCES}: not accepting. */
    private boolean full;
    /** Where the socket file is while it is moved aside; null while it is at its path. */
    private AsideSocket parked;
    private final AsideMoves asideMoves = new AsideMoves(LOG, "MAX_INSTANCES");
    /** A read asked for while full: started once it accepts again. */
    private boolean readWanted;
    /** Whether the last {@link #doReadMessages} made a child (a refused client makes none). */
    private boolean childAccepted;
    private long relistenPauseMillis;
    private java.util.concurrent.ScheduledFuture<?> relistenRetry; // one at a time, however many children close

    /** An unbound server channel; Netty's bootstraps make it through this constructor. */
    public UnixPipeServerChannel() {
        super(null, newSocket(), SelectionKey.OP_ACCEPT);
        config = new UnixPipeServerChannelConfig(this);
    }

    private static ServerSocketChannel newSocket() {
        try {
            return ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException e) {
            throw new io.netty.channel.ChannelException("opening a Unix domain socket failed", e);
        }
    }

    @Override
    protected ServerSocketChannel javaChannel() {
        return (ServerSocketChannel) super.javaChannel();
    }

    @Override
    public ChannelConfig config() {
        return config;
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    @Override
    public boolean isActive() {
        return isOpen() && local != null;
    }

    @Override
    public NettyPipeAddress localAddress() {
        return (NettyPipeAddress) super.localAddress();
    }

    @Override
    protected SocketAddress localAddress0() {
        return local;
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return null;
    }

    @Override
    protected void doBind(SocketAddress localAddress) throws Exception {
        NettyPipeAddress address = UnixPipeChannel.pipeAddress(localAddress);
        config.warnIgnoredOptions(address);
        config.messages().fix("the server binds with the type it had then, as a named pipe's instances are made with it");
        Path path = SocketPaths.forName(address.pipeName());
        ownUid = PeerCredentials.currentUid(); // the kernel's uid, not user.name, which -Duser.name overrides
        SocketLock claimed = SocketClaim.lockAndClaim(address.pipeName(), path, "bind " + path);
        try {
            SocketClaim.bindOwnerOnly(javaChannel(), path, config.getBacklog(), SocketClaim.OWNER_ONLY);
        } catch (IOException | RuntimeException | Error e) {
            claimed.close();
            throw e;
        }
        lock = claimed;
        socketPath = path;
        local = address;
    }

    /**
     * Accepts the next client, which becomes a child channel only if it passes the uid check and
     * the admission; a refused one is closed here, so no pipeline ever sees it. Each call accepts
     * one client at most, refused or not, as {@code SelectorLoop} accepts one per readiness: a
     * refusal ends the read, and the loop runs its tasks and its other channels before it comes
     * back for the next. Refused clients that reconnect as fast as they can would otherwise keep
     * the event loop inside one read, stalling every channel it serves. A client that waited for
     * an instance is taken before the listener.
     */
    @Override
    protected int doReadMessages(List<Object> buf) throws Exception {
        SocketChannel accepted;
        if (!waiting.isEmpty()) {
            accepted = config.allowsAnotherInstance(liveChildren) ? waiting.poll() : null;
        } else {
            accepted = full ? null : javaChannel().accept(); // OP_ACCEPT is off while full: no spin
        }
        if (accepted == null) {
            return 0;
        }
        long client = nextClient++;
        try {
            PeerIdentity peer = PeerCredentials.of(accepted); // before anything is read: the admission sees it
            if (!SocketClaim.sameUid(peer, ownUid)) {
                LOG.log(Level.WARNING, SocketClaim.refusal(peer, ownUid, socketPath));
                accepted.close();
                return 0;
            }
            if (!AdmissionCheck.admits(config.getAdmission(), peer, client, socketPath.toString())) {
                accepted.close();
                return 0;
            }
            buf.add(new UnixPipeChannel(this, accepted, local, peer, config.messages(), config.getInBufferSize(),
                    config.getOutBufferSize()));
            childAccepted = true;
        } catch (IOException | RuntimeException | Error e) {
            // As pipekit's own server: it costs this client its connection, not the listener.
            LOG.log(Level.WARNING, "accepting a client on " + socketPath + " failed", e);
            try {
                accepted.close();
            } catch (IOException ignored) {
                // already failing
            }
            return 0;
        }
        // Counted once it is the pipeline's: however it closes from now on, its doClose frees the instance.
        liveChildren++;
        if (!full && !config.allowsAnotherInstance(liveChildren)) {
            stopListening();
        }
        return 1;
    }

    /**
     * At {@code MAX_INSTANCES}: the socket file moves aside ({@link AsideSocket}), so no client can
     * join the backlog by its path, and what the backlog holds by then is accepted to wait for an
     * instance (a client left in the backlog would look connected to itself and be served by no
     * one until the server accepts again). The listener stays open: a client that found the file a
     * moment before reaches it through its own link and waits in the backlog. Never throws: the
     * child that filled the server is in the read.
     */
    private void stopListening() {
        full = true;
        try {
            selectionKey().interestOps(selectionKey().interestOps() & ~SelectionKey.OP_ACCEPT);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "stopping accepts on " + socketPath + " failed", e);
        }
        if (parked == null) { // else it is still aside: putting it back failed since the server was last full
            // If it cannot move, clients wait in the backlog, connected to themselves, instead of
            // seeing busy: still no more than MAX_INSTANCES are served.
            parked = asideMoves.park(socketPath);
        }
        if (parked == null) {
            return; // the backlog then holds whoever comes, up to somaxconn, accepted in turn later
        }
        try {
            for (SocketChannel pending; (pending = javaChannel().accept()) != null; ) {
                waiting.add(pending);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "accept on " + socketPath + " failed", e);
        }
    }

    /**
     * A child's {@code doClose}, once, on whichever thread closed it (a forcible close included):
     * the instance is counted free later, on this channel's loop, never inside the read or the close
     * that is running now (a child closed while the acceptor registers it would else start a read
     * inside the read that accepted it).
     */
    void childClosed() {
        try {
            eventLoop().execute(this::instanceFreed);
        } catch (java.util.concurrent.RejectedExecutionException loopEnded) {
            // The server's loop has ended, and the server with it: nothing is left to count for.
        }
    }

    private void instanceFreed() {
        liveChildren--;
        if ((full || parked != null) && isOpen()) {
            serveWaitingOrListen();
        }
    }

    /**
     * Below {@code MAX_INSTANCES} again: the clients that wait first, through the read that accepts,
     * as reads are asked for ({@code AUTO_READ}, or {@code read()}); then, once none waits, accepts
     * again and puts the file back. Accepting does not wait for the file: clients that reached the
     * listener while it was aside are served even while putting it back fails.
     */
    private void serveWaitingOrListen() {
        // Each read takes at least one waiting client, served or refused.
        while (!waiting.isEmpty() && isOpen() && config.allowsAnotherInstance(liveChildren)
                && (config.isAutoRead() || readWanted)) {
            childAccepted = false;
            ((AbstractNioChannel.NioUnsafe) unsafe()).read();
            if (childAccepted) {
                readWanted = false; // served; a refused client does not use up a read asked for
            }
        }
        if (!isOpen() || !waiting.isEmpty() || !config.allowsAnotherInstance(liveChildren)) {
            return;
        }
        if (full) {
            full = false;
            if (readWanted || config.isAutoRead()) {
                readWanted = false;
                doBeginReadNow();
            }
        }
        if (parked == null || relistenRetry != null) {
            return;
        }
        if (!parked.isThere()) {
            // Someone removed (or replaced) the only name the listener had left: no client can reach it by a path again.
            LOG.log(Level.ERROR, parked.path() + " was removed while " + socketPath + " was full: the server closes");
            pipeline().fireExceptionCaught(new io.netty.channel.ChannelException(
                    "the socket moved aside at MAX_INSTANCES, " + parked.path() + ", was removed: the server cannot listen again"));
            close();
            return;
        }
        try {
            // The path was free while the server did not listen: only a stale socket is replaced, as at bind.
            SocketClaim.claimPath(socketPath, "listen again on " + socketPath);
            parked.unpark();
        } catch (IOException | RuntimeException e) {
            relistenPauseMillis = relistenPauseMillis == 0 ? 50 : Math.min(2 * relistenPauseMillis, 2_000);
            LOG.log(Level.ERROR, "listening on " + socketPath + " again failed; no new client can connect by it until it"
                    + " succeeds (tried again in " + relistenPauseMillis + " ms)", e);
            relistenRetry = eventLoop().schedule(() -> {
                relistenRetry = null;
                serveWaitingOrListen();
            }, relistenPauseMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
            return;
        }
        parked = null;
        relistenPauseMillis = 0;
    }

    @Override
    protected void doBeginRead() throws Exception {
        if (full) {
            // OP_ACCEPT stays off until an instance is free; a waiting client may be served now.
            readWanted = true;
            if (!waiting.isEmpty() && config.allowsAnotherInstance(liveChildren)) {
                eventLoop().execute(this::serveWaitingOrListen);
            }
            return;
        }
        super.doBeginRead();
    }

    private void doBeginReadNow() {
        try {
            super.doBeginRead();
        } catch (Exception e) {
            pipeline().fireExceptionCaught(e);
        }
    }

    /** Test only: the clients accepted and waiting for an instance. */
    int waitingClients() {
        return waiting.size();
    }

    /** The listener, then its socket file, then the lock: a server that takes the lock next finds the path free. */
    @Override
    protected void doClose() throws Exception {
        try {
            super.doClose();
        } finally {
            try {
                javaChannel().close();
            } catch (IOException e) {
                // The rest still runs: the waiting clients, the socket file and the lock are freed either way.
                LOG.log(Level.WARNING, "closing the listener on " + socketPath + " failed", e);
            }
            if (relistenRetry != null) {
                relistenRetry.cancel(false);
                relistenRetry = null;
            }
            for (SocketChannel client; (client = waiting.poll()) != null; ) {
                try {
                    client.close();
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "closing a waiting client of " + socketPath + " failed", e);
                }
            }
            if (parked != null) {
                parked.remove(); // only if it is still ours
            } else if (socketPath != null) {
                try {
                    Files.deleteIfExists(socketPath);
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "removing " + socketPath + " failed", e);
                }
            }
            if (lock != null) {
                lock.close();
                lock = null;
            }
        }
    }

    @Override
    protected void doDisconnect() {
        throw new UnsupportedOperationException();
    }

    @Override
    protected boolean doConnect(SocketAddress remoteAddress, SocketAddress localAddress) {
        throw new UnsupportedOperationException();
    }

    @Override
    protected void doFinishConnect() {
        throw new UnsupportedOperationException();
    }

    @Override
    protected boolean doWriteMessage(Object msg, ChannelOutboundBuffer in) {
        throw new UnsupportedOperationException();
    }

    /** For the config: Netty's read-pending flag is the channel's, and so is a read asked for while full. */
    void autoReadCleared() {
        readWanted = false;
        clearReadPending();
    }
}
