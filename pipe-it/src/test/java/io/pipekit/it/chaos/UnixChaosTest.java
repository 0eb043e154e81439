package io.pipekit.it.chaos;

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
     * Sockets and pipes, not selectors: the honest client, in this process, makes its reader's and
     * writer's selectors the first time each has to wait, and a writer that the server keeps up
     * with may first wait long after the baseline (CI once read those two descriptors as a leak,
     * twice, after the honest client's first message had been made the largest to prevent it).
     * A selector leaked per connection is caught by the behaviour specs, which count them.
     */
    @Override
    long resources() throws Exception {
        return Resources.openSocketsAndPipes();
    }

    @Override
    boolean resourcesAreExact() {
        return false;
    }

    @Override
    int reducedCycles() {
        return 1_000;
    }

    @Test
    void garbageAndTruncatedFramesCostOnlyTheirOwnConnections() throws Exception {
        int clients = FULL ? 10_000 : reducedCycles();
        Path socket = SocketPaths.forName(PipeName.of(name));
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
                    while (bytes.hasRemaining()) {
                        raw.write(bytes);
                    }
                }
            }
            return Map.of("clients", clients, "truncatedFrames", truncated);
        }, "MessageTooLargeException", "PeerClosedException", "left"); // garbage can also be whole frames
    }
}
