package io.pipekit.netty.unix;

import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.nio.AbstractNioMessageChannel;
import io.pipekit.core.PeerIdentity;
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
     * the event loop inside one read, stalling every channel it serves.
     */
    @Override
    protected int doReadMessages(List<Object> buf) throws Exception {
        SocketChannel accepted = javaChannel().accept();
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
            buf.add(new UnixPipeChannel(this, accepted, local, peer, config.messages()));
            return 1;
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
    }

    /** The listener, then its socket file, then the lock: a server that takes the lock next finds the path free. */
    @Override
    protected void doClose() throws Exception {
        try {
            super.doClose();
        } finally {
            javaChannel().close();
            if (socketPath != null) {
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

    /** For the config: Netty's read-pending flag is the channel's. */
    void autoReadCleared() {
        clearReadPending();
    }
}
