package io.pipekit.core.unix;

import com.sun.jna.LastErrorException;
import com.sun.jna.Platform;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The claim a Unix server holds on its socket path for as long as it serves it: an exclusive
 * {@code flock(2)} on {@code <socket>.lock} beside the socket. Checking for a live server,
 * replacing a stale socket and binding happen under it, so two servers starting together cannot
 * both take the path; and since the kernel drops the lock when its holder dies, a crashed
 * server's lock never stays held.
 *
 * <p>{@code flock}, not {@code fcntl} ({@code FileChannel.lock}): an {@code fcntl} lock belongs to
 * the process and goes when any descriptor of the file closes, so a second server of the same JVM
 * that opened the file to find it locked would release the first one's lock on closing it.
 *
 * <p>Clients ask {@link #isHeld(Path)} to tell a server that is at its instance limit (its
 * socket file moved aside, the lock held) from a stale socket nobody serves.
 */
public final class SocketLock implements AutoCloseable {
    /**
     * How long a server waits out a lock that only clients hold: a client asking
     * {@link #isHeld(Path)} holds a shared lock for a moment, which must not read as a live
     * server, and may be descheduled while it does on a loaded machine. Only a server ever holds
     * the lock exclusively.
     */
    static final long SHARED_ONLY_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final int OWNER_READ_WRITE = 0600;

    private final Path file;
    private final int fd;
    private boolean released;

    private SocketLock(Path file, int fd) {
        this.file = file;
        this.fd = fd;
    }

    /** The lock file of {@code socket}: {@code <socket>.lock}, in the same directory. */
    public static Path fileOf(Path socket) {
        return socket.resolveSibling(socket.getFileName() + ".lock");
    }

    /**
     * Takes the lock of {@code socket}, or returns {@code null} if a live server holds it. While
     * only clients hold it (shared, in {@link #isHeld(Path)}), it retries, for up to five seconds.
     *
     * @throws IOException if the lock file cannot be opened (a symbolic link there is refused)
     */
    public static SocketLock tryAcquire(Path socket) throws IOException {
        Path file = fileOf(socket);
        long giveUp = System.nanoTime() + SHARED_ONLY_NANOS;
        while (true) {
            int fd = open(file, LibC.O_RDWR | LibC.O_CREAT);
            boolean locked;
            boolean server;
            try {
                locked = lock(fd, LibC.LOCK_EX);
                // A server that released meanwhile removed the file this descriptor opened: a lock
                // on it is no lock on the path, so lock the file that is there now instead.
                if (locked && sameFile(fd, file)) {
                    return new SocketLock(file, fd);
                }
                // Held: a shared lock taken beside it proves only clients hold it (a server's is
                // exclusive). An exclusive holder of a file no longer at the path is a server
                // that is letting go: try the file that is there now.
                server = !locked && !lock(fd, LibC.LOCK_SH) && sameFile(fd, file);
            } catch (IOException | RuntimeException e) {
                closeQuietly(fd);
                throw e;
            }
            closeQuietly(fd); // drops the shared lock too
            if (server || (!locked && System.nanoTime() - giveUp >= 0)) {
                return null;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /**
     * Whether a live server holds the lock of {@code socket}; never blocks, and holds a shared
     * lock only for a moment when nobody does.
     */
    public static boolean isHeld(Path socket) {
        int fd;
        try {
            fd = open(fileOf(socket), LibC.O_RDONLY);
        } catch (IOException noLockFile) {
            return false;
        }
        try {
            if (!lock(fd, LibC.LOCK_SH)) {
                return true;
            }
            LibC.INSTANCE.flock(fd, LibC.LOCK_UN);
            return false;
        } catch (IOException | LastErrorException e) {
            return false;
        } finally {
            closeQuietly(fd);
        }
    }

    /** Removes the lock file and then releases the lock (in that order: see {@link #tryAcquire}); once. */
    @Override
    public synchronized void close() {
        if (released) {
            return;
        }
        released = true;
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a lock file left behind costs nothing: the next server locks it again
        } finally {
            closeQuietly(fd);
        }
    }

    private static int open(Path file, int flags) throws IOException {
        try {
            return LibC.INSTANCE.open(file.toString(), flags | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, OWNER_READ_WRITE);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == LibC.ENOENT) {
                throw new NoSuchFileException(file.toString());
            }
            throw new IOException("open " + file + " failed (errno " + e.getErrorCode() + "; a symbolic link there is refused)", e);
        }
    }

    /** {@code flock} without waiting: false if another holder's lock conflicts. */
    private static boolean lock(int fd, int operation) throws IOException {
        try {
            LibC.INSTANCE.flock(fd, operation | LibC.LOCK_NB);
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == LibC.EWOULDBLOCK) {
                return false;
            }
            throw new IOException("flock failed (errno " + e.getErrorCode() + ")", e);
        }
    }

    /** Whether descriptor {@code fd} and the name {@code file} are one file (device and inode). */
    private static boolean sameFile(int fd, Path file) {
        try {
            Path descriptor = Path.of(Platform.isMac() ? "/dev/fd" : "/proc/self/fd", Integer.toString(fd));
            Object open = Files.readAttributes(descriptor, BasicFileAttributes.class).fileKey();
            Object named = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
            return open != null && Objects.equals(open, named);
        } catch (IOException gone) {
            return false;
        }
    }

    private static void closeQuietly(int fd) {
        try {
            LibC.INSTANCE.close(fd);
        } catch (LastErrorException ignored) {
            // nothing more to free
        }
    }
}
