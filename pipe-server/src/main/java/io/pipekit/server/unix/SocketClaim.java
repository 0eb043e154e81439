package io.pipekit.server.unix;

import io.pipekit.core.PeerIdentity;
import io.pipekit.core.PipeAccessDeniedException;
import io.pipekit.core.PipeException;
import io.pipekit.core.PipeName;
import io.pipekit.core.PipeNameInUseException;
import io.pipekit.core.unix.AsideSocket;
import io.pipekit.core.unix.SocketLock;
import io.pipekit.core.unix.SocketPaths;
import io.pipekit.core.unix.SocketPin;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * How a Unix server takes its socket path, binds it and decides whom to serve: the steps pipekit's
 * secure defaults rest on, written once for {@link SelectorLoop} and for pipe-netty's Unix server
 * channel, so that the two cannot drift apart.
 *
 * <p>The order matters and is the callers' to keep: {@link #lockAndClaim} (directory checked, the
 * path's {@link SocketLock} taken, a stale socket replaced, a live server refused, what a dead
 * server and its clients left beside the path removed), then {@link #bindOwnerOnly} (bound, then
 * made owner-only), then for each accepted client {@link #sameUid} before anything of it is read.
 * The lock is released only after the socket file is removed.
 */
public final class SocketClaim {
    private static final System.Logger LOG = System.getLogger("io.pipekit.server");
    /**
     * {@code listen(2)}'s backlog: all the system allows. Linux and macOS both cut a larger
     * request down to their {@code somaxconn}.
     */
    public static final int BACKLOG = Integer.MAX_VALUE;
    /** {@code st_mode}'s file type bits, and the type of a socket (the same on Linux and macOS). */
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    /** Makes a freshly bound socket file owner-only; a seam, so tests can make it fail. */
    @FunctionalInterface
    public interface SocketFileSetup {
        /** Secures the socket file just bound at {@code socket}. */
        void secure(Path socket) throws IOException;
    }

    /** The socket file readable and writable by its owner alone (mode 600). */
    public static final SocketFileSetup OWNER_ONLY =
            socket -> Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));

    private SocketClaim() {
    }

    /**
     * Takes {@code socketPath} for a server of {@code name}: checks the directory of an absolute
     * socket path (a name's own directory was checked as it was made), takes the path's lock and,
     * under it, refuses a live server and removes a stale socket ({@link #claimPath}). On any
     * failure the lock is released again before this throws.
     *
     * @return the lock, held until the caller has removed its socket file
     */
    public static SocketLock lockAndClaim(PipeName name, Path socketPath, String operation) throws IOException {
        if (name.isSocketPath()) {
            SocketPaths.checkDirectory(socketPath);
        }
        SocketLock lock = SocketLock.tryAcquire(socketPath);
        if (lock == null) {
            throw alreadyServed(operation, "another server holds " + SocketLock.fileOf(socketPath));
        }
        try {
            claimPath(socketPath, operation);
            // Under the lock, no live server of this path is full, and no link leads to a live listener.
            AsideSocket.removeStale(socketPath); // of a server that died while full
            SocketPin.removeStale(socketPath); // of clients that died inside a connect
            return lock;
        } catch (IOException | RuntimeException | Error e) {
            lock.close();
            throw e;
        }
    }

    /**
     * With the lock held: refuses a live server on the path (one that is no pipekit server, or
     * is one of an older release, holds no lock), and removes a stale socket file left by a dead
     * one. Never blocks, and never deletes anything but a socket that refuses connections.
     */
    public static void claimPath(Path socketPath, String operation) throws IOException {
        Object mode;
        try {
            mode = Files.getAttribute(socketPath, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException free) {
            return;
        }
        if ((((Integer) mode) & S_IFMT) != S_IFSOCK) {
            throw new PipeAccessDeniedException(operation, PipeException.NO_CODE,
                    socketPath + " exists and is not a socket; refusing to replace it");
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.configureBlocking(false); // a full backlog answers EAGAIN at once, where a blocking connect would wait
            probe.connect(UnixDomainSocketAddress.of(socketPath));
            throw alreadyServed(operation, "a server accepts on " + socketPath);
        } catch (ConnectException stale) {
            LOG.log(Level.INFO, "replacing the stale socket " + socketPath + " (no server accepts on it)");
            Files.delete(socketPath);
        } catch (PipeException e) {
            throw e;
        } catch (IOException e) {
            // EAGAIN: a server whose backlog is full; EACCES: a socket not ours. Neither is stale.
            if (Files.exists(socketPath, LinkOption.NOFOLLOW_LINKS)) {
                throw alreadyServed(operation, "connecting to " + socketPath + " said " + e.getMessage());
            }
        }
    }

    /**
     * Binds {@code channel} to the claimed {@code socketPath} and secures the socket file with
     * {@code setup}. If securing fails, the socket file bound here is removed before this throws
     * (the channel stays the caller's to close): a client must never find a socket that others may
     * reach.
     */
    public static void bindOwnerOnly(ServerSocketChannel channel, Path socketPath, int backlog, SocketFileSetup setup)
            throws IOException {
        channel.bind(UnixDomainSocketAddress.of(socketPath), backlog);
        try {
            setup.secure(socketPath);
        } catch (IOException | RuntimeException | Error e) {
            try {
                channel.close(); // first: no client may connect between the failure and the file's removal
            } catch (IOException ignored) {
                // already failing
            }
            try {
                Files.deleteIfExists(socketPath); // the socket we just bound, under our lock
            } catch (IOException notRemoved) {
                e.addSuppressed(notRemoved);
            }
            throw e;
        }
    }

    /** Whether a client is of the server's own uid, the only one a Unix server serves; an unknown uid is not. */
    public static boolean sameUid(PeerIdentity peer, long ownUid) {
        return peer.uid().isPresent() && peer.uid().getAsLong() == ownUid;
    }

    /** The WARNING logged for a client {@link #sameUid} refused. */
    public static String refusal(PeerIdentity peer, long ownUid, Path socketPath) {
        return "refused a client of user " + peer.user().orElse("unknown") + " (uid "
                + (peer.uid().isPresent() ? peer.uid().getAsLong() : "unknown") + ") on " + socketPath
                + ": only uid " + ownUid + " may connect";
    }

    /** The failure of a bind to a path another live server serves. */
    public static PipeNameInUseException alreadyServed(String operation, String how) {
        return new PipeNameInUseException(operation, PipeException.NO_CODE, "the pipe is already served by another server (" + how + ")");
    }
}
