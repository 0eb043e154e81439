package io.pipekit.core.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full server's socket file, moved aside and back ({@link AsideSocket}): the listener stays
 * reachable under the aside name, comes back to its path, and what someone else put at the aside
 * name meanwhile is neither linked back to the path nor deleted.
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class AsideSocketTest {
    @TempDir
    Path dir;

    @Test
    void aParkedSocketIsFoundOnlyAsideAndComesBackToItsPath() throws Exception {
        Path socket = dir.resolve("p.sock");
        try (ServerSocketChannel listener = listen(socket)) {
            AsideSocket parked = AsideSocket.park(socket);
            assertFalse(Files.exists(socket, LinkOption.NOFOLLOW_LINKS));
            assertTrue(parked.isThere());
            assertConnects(parked.path(), "the listener is not reachable aside");

            parked.unpark();

            assertFalse(Files.exists(parked.path(), LinkOption.NOFOLLOW_LINKS));
            assertConnects(socket, "the listener is not back at its path");
        }
    }

    @Test
    void whatSomeoneElsePutAtTheAsideNameIsNeitherLinkedBackNorDeleted() throws Exception {
        Path socket = dir.resolve("p.sock");
        try (ServerSocketChannel listener = listen(socket)) {
            AsideSocket parked = AsideSocket.park(socket);
            Files.delete(parked.path());
            Files.writeString(parked.path(), "someone else's");

            assertFalse(parked.isThere());
            assertThrows(NoSuchFileException.class, parked::unpark);
            assertFalse(Files.exists(socket, LinkOption.NOFOLLOW_LINKS), "a stranger's file linked at the socket path");
            parked.remove();
            assertEquals("someone else's", Files.readString(parked.path()));
        }
    }

    @Test
    void aParkTakesTheAsideNameFromADeadListenerButNotFromALiveOne() throws Exception {
        Path socket = dir.resolve("p.sock");
        Path aside = AsideSocket.of(socket);
        try (ServerSocketChannel listener = listen(socket)) {
            listen(aside).close(); // a dead server's socket file: connects are refused
            AsideSocket parked = AsideSocket.park(socket);
            assertTrue(parked.isThere(), "the dead listener's file was not replaced");
            parked.unpark();

            try (ServerSocketChannel someoneElses = listen(aside)) {
                assertThrows(FileAlreadyExistsException.class, () -> AsideSocket.park(socket));
                assertTrue(Files.exists(socket, LinkOption.NOFOLLOW_LINKS), "the socket moved although the park failed");
                assertConnects(aside, "the live listener's file was deleted");
                AsideSocket.removeStale(socket);
                assertTrue(Files.exists(aside, LinkOption.NOFOLLOW_LINKS), "a live listener's file was removed as stale");
            }
        }
    }

    /**
     * A server killed while full leaves its socket aside; on a long path the aside name is too long
     * for a connect to ask whether anyone listens there (the JDK refuses beyond its limit), and the
     * dead socket must still not block every later park.
     */
    @Test
    void aDeadSocketAsideOfTheLongestPathIsReplacedThoughNoConnectCanReachIt() throws Exception {
        Path socket = pathOfBytes(SocketPaths.MAX_PATH_BYTES);
        Path aside = AsideSocket.of(socket);
        Path dead = dir.resolve("dead.sock");
        listen(dead).close();
        Files.createLink(aside, dead); // as a park made it, before its server died
        try (ServerSocketChannel listener = listen(socket)) {
            AsideSocket parked = AsideSocket.park(socket);
            assertTrue(parked.isThere(), "the dead socket at the aside name was not replaced");
        }
    }

    /**
     * Where the system lets the JDK connect to a longer path than pipekit's portable limit (Linux:
     * 106 bytes), a live listener at such an aside name is asked, and left alone.
     */
    @Test
    @EnabledOnOs(OS.LINUX)
    void aLiveListenerAtALongAsideNameIsAskedAndLeftAloneWhereTheSystemCanConnect() throws Exception {
        Path socket = pathOfBytes(SocketPaths.MAX_PATH_BYTES - 4);
        Path aside = AsideSocket.of(socket); // 104 bytes: beyond the portable limit, within Linux's 106
        try (ServerSocketChannel listener = listen(socket); ServerSocketChannel someoneElses = listen(aside)) {
            assertThrows(FileAlreadyExistsException.class, () -> AsideSocket.park(socket));
            assertConnects(aside, "the live listener's file was deleted");
        }
    }

    /**
     * A link to the server's own socket left at the aside name (an unpark that could not remove
     * it) is replaced without a connect to ask: the listener would take that connect as a client.
     */
    @Test
    void aLinkToTheSocketItselfLeftAsideIsReplacedWithoutConnectingToIt() throws Exception {
        Path socket = dir.resolve("p.sock");
        try (ServerSocketChannel listener = listen(socket)) {
            Files.createLink(AsideSocket.of(socket), socket);
            AsideSocket parked = AsideSocket.park(socket);
            assertTrue(parked.isThere());
            listener.configureBlocking(false);
            assertNull(listener.accept(), "the park connected to its own listener");
        }
    }

    /** A path in the test's directory whose UTF-8 form is {@code bytes} long. */
    private Path pathOfBytes(int bytes) {
        int fill = bytes - (dir.toString() + "/.sock").getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        assertTrue(fill > 0, "the temporary directory's path is too long for this test: " + dir);
        return dir.resolve("s".repeat(fill) + ".sock");
    }

    /** Connects to {@code path}, or fails with {@code otherwise}. */
    private static void assertConnects(Path path, String otherwise) throws Exception {
        try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            assertTrue(client.connect(UnixDomainSocketAddress.of(path)), otherwise);
        }
    }

    /** A listener bound to {@code socket}, as a server's (the file stays when it closes). */
    static ServerSocketChannel listen(Path socket) throws Exception {
        ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listener.bind(UnixDomainSocketAddress.of(socket));
        return listener;
    }
}
