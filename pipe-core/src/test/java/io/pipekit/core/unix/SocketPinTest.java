package io.pipekit.core.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client's link to a server's socket file ({@link SocketPin}): it reaches the listener after the
 * server has moved its file aside, it is gone once the connect is made, and a server that claims a
 * path removes the links of clients that died holding one, and nothing else.
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class SocketPinTest {
    @TempDir
    Path dir;

    @Test
    void aConnectThroughAPinReachesTheListenerAfterItsFileMovedAside() throws Exception {
        Path socket = dir.resolve("p.sock");
        try (ServerSocketChannel listener = AsideSocketTest.listen(socket)) {
            Path pin = SocketPin.pin(socket);
            assertNotNull(pin);
            assertNotEquals(socket, pin);
            Path aside = AsideSocket.park(socket).path(); // the server fills up between the client's look and its connect

            try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                assertTrue(client.connect(UnixDomainSocketAddress.of(pin)));
                SocketPin.unpin(pin, socket);
                try (SocketChannel accepted = listener.accept()) {
                    assertNotNull(accepted, "the listener has the client in its backlog");
                }
            }
            assertEquals(List.of(aside), files(), "the pin is gone, the parked socket stays");
        }
    }

    @Test
    void nothingIsPinnedWhereNoSocketIs() {
        assertNull(SocketPin.pin(dir.resolve("absent.sock")));
        assertNull(SocketPin.pin(dir.resolve("no-such-dir").resolve("absent.sock")));
        assertEquals(List.of(), files());
    }

    @Test
    void aServerRemovesTheStalePinsOfItsPathOnlyAndOnlySockets() throws Exception {
        Path socket = dir.resolve("api");
        Path other = dir.resolve("api.v2"); // an absolute socket path is its user's to name: its pins start as ours do
        try (ServerSocketChannel a = AsideSocketTest.listen(socket); ServerSocketChannel b = AsideSocketTest.listen(other)) {
            Path stale = SocketPin.pin(socket); // a client died before it could unpin
            Path othersPin = SocketPin.pin(other);
            Path notASocket = Files.writeString(dir.resolve(".api.0123456789abcdef.pin"), "someone else's");
            Files.delete(socket); // the dead server's socket, as a new server claims the path

            SocketPin.removeStale(socket);

            assertTrue(Files.notExists(stale));
            assertEquals(sorted(List.of(other, othersPin, notASocket)), files());
        }
    }

    @Test
    void aPathTooLongToConnectByAsALinkIsConnectedByItself() throws Exception {
        String name = "s".repeat(SocketPaths.MAX_PATH_BYTES - dir.toString().length() - 1);
        Path socket = dir.resolve(name); // as long as a socket path may be
        try (ServerSocketChannel listener = AsideSocketTest.listen(socket)) {
            assertEquals(socket, SocketPin.pin(socket));
            try (SocketChannel client = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                assertTrue(client.connect(UnixDomainSocketAddress.of(SocketPin.pin(socket))));
            }
        }
        assertEquals(List.of(), files().stream().filter(f -> f.toString().endsWith(".pin")).collect(Collectors.toList()));
        Files.delete(socket); // as a full server moves its socket aside
        assertNull(SocketPin.pin(socket), "a long path with nothing at it pinned as if it were there");
    }


    private List<Path> files() {
        try (Stream<Path> listed = Files.list(dir)) {
            return sorted(listed.collect(Collectors.toList()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<Path> sorted(List<Path> paths) {
        return paths.stream().sorted().collect(Collectors.toList());
    }
}
