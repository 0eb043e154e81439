package io.pipekit.it.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.core.PipeName;
import io.pipekit.core.Transport;
import io.pipekit.core.unix.SocketPaths;
import io.pipekit.testing.Resources;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The chaos scenarios over Unix domain sockets, where a peer can also send bytes that are not
 * frames at all: garbage, and frames cut short. Resources are this process's open sockets and pipes.
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class UnixChaosTest extends ChaosSpec {

    @Override
    Transport transport() {
        return Transport.UNIX_DOMAIN_SOCKETS;
    }

    /**
     * pipekit's sockets (Unix sockets with a path at either end), not its selectors: the honest
     * client, in this process, makes its reader's and writer's selectors the first time each has
     * to wait, and a writer that the server keeps up with may first wait long after the baseline
     * (CI once read those two descriptors as a leak). A selector leaked per connection is caught
     * by the behaviour specs, which count them. Exact on Linux: nothing else makes such sockets.
     */
    @Override
    long resources() throws Exception {
        return Resources.pipekitSockets();
    }

    @Override
    boolean resourcesAreExact() {
        return Resources.countsPipekitDescriptorsExactly();
    }

    @Override
    int reducedCycles() {
        return 1_000;
    }

    @Test
    void garbageAndTruncatedFramesCostOnlyTheirOwnConnections() throws Exception {
        int clients = FULL ? 10_000 : reducedCycles();
        Path socket = SocketPaths.forName(PipeName.of(name));
        Map<String, Long> expected = new java.util.TreeMap<>();
        int[] wholeFramesOnly = new int[1];
        runScenario("garbage and truncated frames", clients + " raw socket clients each send random bytes (half of them "
                + "a header announcing more than the limit), or a header and part of its body, then close", server -> {
            Random random = new Random(13);
            int truncated = 0;
            for (int i = 0; i < clients; i++) {
                try (SocketChannel raw = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    raw.connect(UnixDomainSocketAddress.of(socket));
                    ByteBuffer bytes;
                    if (i % 3 == 0) {
                        // A frame cut short: its header says 1,000 bytes, and 10 follow.
                        bytes = ByteBuffer.allocate(14).putInt(1000).put(new byte[10]).flip();
                        truncated++;
                    } else {
                        byte[] garbage = new byte[1 + random.nextInt(200)];
                        random.nextBytes(garbage);
                        if (i % 3 == 1) {
                            garbage = ByteBuffer.allocate(garbage.length + 4).putInt(-1 - random.nextInt(1000)).put(garbage).array();
                        }
                        bytes = ByteBuffer.wrap(garbage);
                    }
                    String ending = expectedEnding(bytes.duplicate());
                    if (ending.equals("left")) {
                        wholeFramesOnly[0]++;
                    } else {
                        expected.merge(ending, 1L, Long::sum);
                    }
                    while (bytes.hasRemaining()) {
                        raw.write(bytes);
                    }
                }
            }
            return Map.of("clients", clients, "truncatedFrames", truncated);
        }, endings -> {
            // Bytes that happen to be whole frames are echoed to a client that has closed: the
            // server sees it leave, or its echo's write fail first. Every other ending is exact.
            Map<String, Long> typed = new java.util.TreeMap<>(endings);
            long left = typed.getOrDefault("left", 0L);
            typed.remove("left");
            long wholeEndedTyped = wholeFramesOnly[0] - left;
            assertTrue(left <= wholeFramesOnly[0], () -> endings + ": more clean leaves than clients that sent whole frames only ("
                    + wholeFramesOnly[0] + ")");
            Map<String, Long> want = new java.util.TreeMap<>(expected);
            if (wholeEndedTyped > 0) {
                want.merge("PeerClosedException", wholeEndedTyped, Long::sum);
            }
            assertEquals(want, typed, () -> "how the garbage clients' connections ended, beside " + left + " clean leaves of "
                    + wholeFramesOnly[0] + " whole-frame clients");
        });
    }

    /**
     * How the server must end a connection that sent {@code bytes} and closed: the frames read as
     * FrameReader reads them (a 4-byte big-endian length, unsigned, at most the server's limit,
     * then the body), ending in a length over the limit (MessageTooLargeException), a header or a
     * body cut short (PeerClosedException), or after whole frames only ("left").
     */
    static String expectedEnding(ByteBuffer bytes) {
        while (bytes.remaining() >= 4) {
            long length = Integer.toUnsignedLong(bytes.getInt());
            if (length > ChaosServer.MAX_MESSAGE) {
                return "MessageTooLargeException";
            }
            if (bytes.remaining() < length) {
                return "PeerClosedException";
            }
            bytes.position(bytes.position() + (int) length);
        }
        return bytes.hasRemaining() ? "PeerClosedException" : "left";
    }
}
