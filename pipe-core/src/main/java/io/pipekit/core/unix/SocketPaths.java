package io.pipekit.core.unix;

import io.pipekit.core.PipeException;
import io.pipekit.core.PipeIoException;
import io.pipekit.core.PipeName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;

/**
 * Where the socket of a pipe name lives on Unix.
 *
 * <ul>
 *   <li>An absolute path ({@code /run/app/control.sock}) is used as it is.</li>
 *   <li>A name ({@code mynamedpipe}, in lower case: pipe names ignore case) maps to {@code $XDG_RUNTIME_DIR/pipekit/mynamedpipe.sock}
 *       when {@code XDG_RUNTIME_DIR} is set, otherwise to
 *       {@code <java.io.tmpdir>/pipekit-<user>/mynamedpipe.sock}.</li>
 * </ul>
 *
 * <p>The {@code pipekit} directory is created with owner-only permissions (0700). An existing
 * one that another user owns, or that others may write to, is refused: whoever controls the
 * directory could put their own socket under our name. A symbolic link in its place is refused
 * as well, and never followed. A server binding an absolute path checks its directory the same
 * way ({@link #checkDirectory(Path)}), except that root may own it too. Owners are compared by
 * effective uid, never by the {@code user.name} property.
 */
public final class SocketPaths {
    /**
     * The longest socket path the JDK takes on every system, in bytes: two fewer than the kernel's
     * {@code sun_path} (108 on Linux, 104 on macOS).
     */
    public static final int MAX_PATH_BYTES = 104 - 2;
    /**
     * The longest socket path the JDK takes on this system, in bytes (106 on Linux, 102 on macOS):
     * for what pipekit itself only connects to, such as a full server's socket moved aside.
     */
    static final int SYSTEM_MAX_PATH_BYTES =
            (System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux") ? 108 : 104) - 2;
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private SocketPaths() {
    }

    /** The socket path for {@code name}, with its directory created if needed. */
    public static Path forName(PipeName name) throws PipeException {
        return forName(name, System.getenv(), System.getProperty("java.io.tmpdir"), System.getProperty("user.name"));
    }

    /** As {@link #forName(PipeName)}, with the environment given (for tests). */
    static Path forName(PipeName name, Map<String, String> env, String tmpdir, String user) throws PipeException {
        String n = name.canonical(); // a pipe name in one case, so that MyPipe and mypipe are one socket, as on Windows
        Path path;
        if (name.isSocketPath()) {
            path = Path.of(n);
        } else {
            if (n.contains("/")) {
                throw new PipeIoException("socket path for " + n, PipeException.NO_CODE,
                        "a pipe name may contain '/' only as an absolute socket path");
            }
            String runtimeDir = env.get("XDG_RUNTIME_DIR");
            Path dir = runtimeDir != null && !runtimeDir.isEmpty()
                    ? Path.of(runtimeDir, "pipekit") : Path.of(tmpdir, "pipekit-" + user);
            ensurePrivateDirectory(dir);
            path = dir.resolve(n + ".sock");
        }
        int bytes = path.toString().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_PATH_BYTES) {
            throw new PipeIoException("socket path " + path, PipeException.NO_CODE,
                    "too long for a Unix socket (" + bytes + " bytes, at most " + MAX_PATH_BYTES + ")");
        }
        return path;
    }

    private static void ensurePrivateDirectory(Path dir) throws PipeException {
        try {
            if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(dir.getParent());
                try {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                    // The umask may have narrowed the request. Without following a link: what is
                    // there is checked below, and whatever it is, only ours is ever changed.
                    PosixFileAttributes made = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    if (made.isDirectory() && ownerUid(dir) == PeerCredentials.currentUid()) {
                        Files.getFileAttributeView(dir, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).setPermissions(OWNER_ONLY);
                    }
                } catch (java.nio.file.FileAlreadyExistsException raced) {
                    // another process of ours made it meanwhile: checked below like any existing one
                }
            }
            checkOwnedAndClosed(dir, false);
        } catch (PipeException e) {
            throw e;
        } catch (IOException e) {
            throw new PipeIoException("socket directory " + dir, PipeException.NO_CODE, e.toString(), e);
        }
    }

    /**
     * Refuses the directory of an absolute socket path that someone else controls: it must be a
     * directory (links to one are followed: {@code /var/run} is often one) that this user or
     * root owns, and that neither its group nor others may write to.
     */
    public static void checkDirectory(Path socket) throws PipeException {
        Path dir = socket.toAbsolutePath().getParent();
        try {
            checkOwnedAndClosed(dir.toRealPath(), true);
        } catch (PipeException e) {
            throw e;
        } catch (IOException e) {
            throw new PipeIoException("socket directory " + dir, PipeException.NO_CODE, e.toString(), e);
        }
    }

    private static void checkOwnedAndClosed(Path dir, boolean rootMayOwn) throws IOException {
        PosixFileAttributes attributes = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        long me = PeerCredentials.currentUid();
        long owner = attributes.isDirectory() ? ownerUid(dir) : -1;
        if (owner != me && !(rootMayOwn && owner == 0)) {
            throw new PipeIoException("socket directory " + dir, PipeException.NO_CODE,
                    "is not a directory owned by uid " + me + (rootMayOwn ? " or root" : "") + "; refusing to use it");
        }
        Set<PosixFilePermission> perms = attributes.permissions();
        if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new PipeIoException("socket directory " + dir, PipeException.NO_CODE,
                    "others may write to it (" + PosixFilePermissions.toString(perms) + "); refusing to use it");
        }
    }

    private static long ownerUid(Path path) throws IOException {
        return Integer.toUnsignedLong((Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS));
    }
}
