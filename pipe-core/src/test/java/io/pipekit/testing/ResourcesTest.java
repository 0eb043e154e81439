package io.pipekit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.Pipe;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The leak checks' count sees what a transport opens, and not the files a JVM opens on its own. */
@EnabledOnOs(OS.LINUX)
class ResourcesTest {

    @Test
    void countsThePipeATransportWouldOpenButNotAFile() throws Exception {
        Pipe first = Pipe.open(); // the JDK's first pipe may set up descriptors of its own, for good
        first.source().close();
        first.sink().close();
        long before = Resources.openChannelDescriptors();
        Pipe pipe = Pipe.open();
        try {
            assertEquals(before + 2, Resources.openChannelDescriptors(), "a pipe's two ends");
        } finally {
            pipe.source().close();
            pipe.sink().close();
        }
        assertEquals(before, Resources.openChannelDescriptors(), "both ends closed again");

        Path file = Files.createTempFile("pipekit-resources", ".txt");
        try (FileChannel ignored = FileChannel.open(file)) {
            assertEquals(before, Resources.openChannelDescriptors(), "an open file is not counted");
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void countsUnixSocketsWithAPathAndSelectorsExactly() throws Exception {
        Path dir = Files.createTempDirectory("pipekit-resources");
        Path path = dir.resolve("test.sock");
        long sockets = Resources.pipekitSockets();
        long withSelectors = Resources.pipekitSocketsAndSelectors();
        Pipe unrelated = Pipe.open(); // neither a socket with a path nor a selector
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(path));
            try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(path));
                    SocketChannel accepted = listener.accept();
                    SocketChannel unnamed = SocketChannel.open(StandardProtocolFamily.UNIX);
                    Selector selector = Selector.open()) {
                assertEquals(sockets + 3, Resources.pipekitSockets(), "the listener, the accepted socket and the client");
                assertEquals(withSelectors + 4, Resources.pipekitSocketsAndSelectors(), "and the selector");
            }
            assertEquals(sockets + 1, Resources.pipekitSockets(), "the listener is left");
            assertEquals(withSelectors + 1, Resources.pipekitSocketsAndSelectors(), "the listener is left");
        } finally {
            unrelated.source().close();
            unrelated.sink().close();
            Files.deleteIfExists(path);
            Files.delete(dir);
        }
        assertEquals(sockets, Resources.pipekitSockets(), "all closed");
        assertEquals(withSelectors, Resources.pipekitSocketsAndSelectors(), "all closed");
    }
}
