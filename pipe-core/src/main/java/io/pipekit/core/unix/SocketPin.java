package io.pipekit.core.unix;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Pattern;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A client's own hard link to a server's socket file, held for the moment of one connect. A server
 * at its instance limit moves its file aside ({@link AsideSocket}); a client that looked at the path
 * and then connected by it could find the file gone in between, and a failed connect closes the
 * JDK's socket, which a Netty channel cannot replace. Linking the file makes the look and the connect
 * one step: once the link exists, a connect through it reaches the listener however the server has
 * moved its file since, and joins its backlog, as a client that connected a moment earlier would;
 * both pipekit servers keep their listener open while full and serve those clients in turn.
 *
 * <p>The link lies beside the socket (a hard link cannot leave its file system, and the directory is
 * its owner's, whom a client must be to connect: docs/security.md), named
 * {@code .<socket file name>.<16 hex digits>.pin}. Where no link can be made (a directory the client
 * may not write, a socket it does not own under Linux's {@code fs.protected_hardlinks}, a link name
 * longer than a socket path may be), the client connects by the path itself, and the race stays.
 */
public final class SocketPin {
    private static final System.Logger LOG = System.getLogger("io.pipekit.core");
    private static final String SUFFIX = ".pin";

    private SocketPin() {
    }

    /**
     * Links {@code socket}'s file under a fresh name of this client's.
     *
     * @return the link to connect through; {@code socket} itself if no link could be made; null if
     *     nothing is at {@code socket}
     */
    public static Path pin(Path socket) {
        for (int attempt = 0; attempt < 3; attempt++) {
            Path pin = socket.resolveSibling(String.format("." + socket.getFileName() + ".%016x" + SUFFIX,
                    ThreadLocalRandom.current().nextLong()));
            if (pin.toString().getBytes(StandardCharsets.UTF_8).length > SocketPaths.MAX_PATH_BYTES) {
                return unpinned(socket); // the JDK would refuse to connect by it
            }
            try {
                return Files.createLink(pin, socket);
            } catch (NoSuchFileException nothingThere) {
                // No file, or no directory: nothing to connect to. Told apart from a name taken by the target.
                if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
                    return null;
                }
            } catch (FileAlreadyExistsException taken) {
                // another client's name, by a chance of 2^-64: draw again
            } catch (IOException | UnsupportedOperationException | SecurityException e) {
                return unpinned(socket);
            }
        }
        return unpinned(socket);
    }

    /** Where no link can be made: the path itself, or null if nothing is there (as {@link #pin} says it). */
    private static Path unpinned(Path socket) {
        return Files.exists(socket, LinkOption.NOFOLLOW_LINKS) ? socket : null;
    }

    /** Removes a link {@link #pin} made; {@code socket} itself, or null, is left alone. */
    public static void unpin(Path pin, Path socket) {
        if (pin == null || pin.equals(socket)) {
            return;
        }
        try {
            Files.deleteIfExists(pin);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "removing " + pin + ", a link made to connect to " + socket + ", failed", e);
        }
    }

    /**
     * Removes the links of clients that died inside a connect (called by a server that has just
     * claimed {@code socket}'s lock: the links lead to a socket no one listens on any more). Only
     * sockets named exactly as {@link #pin} names them for this path are removed; one that cannot be
     * is logged and left.
     */
    public static void removeStale(Path socket) throws IOException {
        String name = socket.getFileName().toString();
        Pattern pins = Pattern.compile(Pattern.quote("." + name + ".") + "[0-9a-f]{16}" + Pattern.quote(SUFFIX));
        try (DirectoryStream<Path> candidates = Files.newDirectoryStream(socket.getParent(), "." + escape(name) + ".*" + SUFFIX)) {
            for (Path pin : candidates) {
                if (!pins.matcher(pin.getFileName().toString()).matches()) {
                    continue; // another path's pin, or not a pin at all
                }
                try {
                    if (AsideSocket.isSocket(pin)) { // anything else there is someone else's, as at the socket's own path
                        Files.deleteIfExists(pin);
                    }
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "removing " + pin + ", a link a client left, failed", e);
                }
            }
        }
    }

    /** A file name as a glob that matches only itself. */
    private static String escape(String name) {
        return name.replaceAll("([\\\\*?\\[\\]{}])", "\\\\$1");
    }
}
