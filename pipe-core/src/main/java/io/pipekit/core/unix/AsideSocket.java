package io.pipekit.core.unix;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The socket file of a listener that stops listening for a while, moved aside and back. A Unix
 * server at its instance limit must look busy to clients rather than let them queue unseen in its
 * backlog, but must not close its listener: a bound socket cannot be bound to its path again
 * (Netty's server channel owns one socket for its life), and a client that found the file a moment
 * earlier would then be refused or reset. So the file moves: a hard link under
 * {@code .<name>.full} beside it, then the path unlinked, so that a connect by the path finds
 * nothing, while the listener, still open, is reachable under the aside name and through the links
 * clients connect through ({@link SocketPin}). A pipe's name maps to a file ending in {@code .sock},
 * so the aside name, ending in {@code .full}, is never a named pipe's (an absolute socket path is its
 * user's to choose). Only a socket is ever removed from the aside name: whatever else is there
 * belongs to someone else, as at the socket's own path (docs/security.md).
 *
 * <p>Checked on Linux; that a hard link to a socket file reaches its listener on macOS too is not
 * yet checked there.
 */
public final class AsideSocket {
    private static final System.Logger LOG = System.getLogger("io.pipekit.core");
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private final Path socket;
    private final Path aside;
    /** The socket file's identity: what is at the aside name is ours only while it has this key. */
    private final Object fileKey;

    private AsideSocket(Path socket, Path aside, Object fileKey) {
        this.socket = socket;
        this.aside = aside;
        this.fileKey = fileKey;
    }

    /** Where {@code socket}'s file goes while its server does not listen. */
    public static Path of(Path socket) {
        return socket.resolveSibling("." + socket.getFileName() + ".full");
    }

    /**
     * Removes the aside socket of a server that died while full (called with the path's lock held,
     * so no live server of this name owns it). A socket someone listens on there is left: it is
     * some other program's (an absolute socket path may end in {@code .full} too), and a park then
     * fails rather than take its name. An aside name too long for the JDK to connect to here (it
     * is 6 bytes longer than the socket's path) cannot be asked: a socket there is removed, as
     * before there was a probe (else a dead server's would block every park of a long path for
     * good); no program can listen on such a name through the JDK either.
     */
    public static void removeStale(Path socket) throws IOException {
        Path aside = of(socket);
        if (isSocket(aside) && !(probeable(aside) && accepts(aside))) {
            Files.deleteIfExists(aside);
        }
    }

    /**
     * Moves {@code socket} aside: afterwards nothing is at its path and the listener is reachable
     * only through the aside name (and the links clients hold). On failure nothing has moved.
     *
     * @throws FileAlreadyExistsException if something other than a dead socket, or a link to this
     *     very socket, is at the aside name
     */
    public static AsideSocket park(Path socket) throws IOException {
        Path aside = of(socket);
        Object key = fileKey(socket);
        if (holds(aside, key)) {
            // A link to this socket that an earlier unpark or failed park could not remove: the
            // probe would connect to our own listener (a phantom client in its backlog) and keep it.
            Files.deleteIfExists(aside);
        }
        removeStale(socket);
        Files.createLink(aside, socket); // fails if anything else is there
        try {
            Files.delete(socket);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(aside);
            throw e;
        }
        return new AsideSocket(socket, aside, key);
    }

    /** The name the socket file has while it is aside. */
    public Path path() {
        return aside;
    }

    /** Whether the aside name still holds this socket (no one removed it, or put something else there). */
    public boolean isThere() {
        return holds(aside, fileKey);
    }

    /**
     * Puts the socket back at its path, which the caller has found free. A link left at the aside
     * name is only logged: the listener listens either way, and the next park replaces it.
     *
     * @throws NoSuchFileException if the socket is no longer at the aside name (removed, or
     *     replaced by someone else): the listener can then never be reached by its path again
     */
    public void unpark() throws IOException {
        if (!isThere()) {
            throw new NoSuchFileException(aside.toString(), null, "the socket moved aside is gone");
        }
        Files.createLink(socket, aside);
        try {
            Files.delete(aside);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "removing " + aside + " after listening again on " + socket + " failed", e);
        }
    }

    /** Removes the aside name, if it still holds this socket (its server is closing); anything else there is left. */
    public void remove() {
        if (!isThere()) {
            return;
        }
        try {
            Files.deleteIfExists(aside);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "removing " + aside + " failed", e);
        }
    }

    /** Whether {@code path} is the socket file of identity {@code key}. */
    private static boolean holds(Path path, Object key) {
        try {
            return isSocket(path) && key.equals(fileKey(path)); // a socket: a closed one's inode may be reused
        } catch (IOException gone) {
            return false;
        }
    }

    private static Object fileKey(Path path) throws IOException {
        Object key = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        if (key == null) {
            throw new IOException("no file key for " + path); // never on Linux or macOS: (device, inode)
        }
        return key;
    }

    /** Whether a connect to {@code path} can be tried here (the JDK refuses longer paths than the system's). */
    private static boolean probeable(Path path) {
        return path.toString().getBytes(StandardCharsets.UTF_8).length <= SocketPaths.SYSTEM_MAX_PATH_BYTES;
    }

    /**
     * Whether a listener accepts connections on the socket at {@code path}. Never blocks: a
     * listener whose backlog is full answers at once, and counts as one.
     */
    private static boolean accepts(Path path) throws IOException {
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.configureBlocking(false);
            probe.connect(UnixDomainSocketAddress.of(path));
            return true;
        } catch (ConnectException | NoSuchFileException nobody) {
            return false; // ECONNREFUSED: a socket file whose listener closed
        } catch (IOException busyOrNotOurs) {
            return true; // EAGAIN (a full backlog) or EACCES (someone else's): not stale
        }
    }

    static boolean isSocket(Path path) throws IOException {
        try {
            Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (((Integer) mode) & S_IFMT) == S_IFSOCK;
        } catch (NoSuchFileException gone) {
            return false; // or removed just now, by its client or another server's clean-up
        }
    }
}
