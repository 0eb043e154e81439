package io.pipekit.client.unix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pipekit.client.PipeClient;
import io.pipekit.core.PipeName;
import io.pipekit.core.PipeTimeoutException;
import io.pipekit.core.Transport;
import io.pipekit.core.unix.SocketPaths;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * A receive timeout that expires in the middle of a message leaves the connection usable: the
 * part that arrived is kept, and the next receive returns the whole message (PipeClient's javadoc,
 * tutorial "The client side"). The server here is a raw socket, writing a frame's header and half
 * its body, then, once the client's receive has given up, the rest.
 *
 * <p>Only Unix sockets can show it: there a message is a frame on a byte stream, and a writer can
 * stop inside one. On a Windows message-type pipe a message is written by one WriteFile and is the
 * reader's whole from the moment that call starts, so no server can leave a client waiting inside
 * one; a receive there times out only before a message (receiveThatTimesOutLeavesTheConnectionUsable).
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class ReceiveTimeoutMidMessageTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final String name = "pipekit-test-" + UUID.randomUUID();

    @Test
    void aReceiveThatTimesOutInsideAMessageKeepsItsFirstPartForTheNextReceive() throws Exception {
        byte[] message = "0123456789abcdefghij".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Path socket = SocketPaths.forName(PipeName.of(name));
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(socket));
            try (PipeClient client = PipeClient.builder(name).transport(Transport.UNIX_DOMAIN_SOCKETS).connectTimeout(TIMEOUT).connect();
                    SocketChannel server = listener.accept()) {
                write(server, ByteBuffer.allocate(4 + 7).putInt(message.length).put(message, 0, 7).flip());

                assertThrows(PipeTimeoutException.class, () -> client.receive(Duration.ofMillis(200)), "half a message is no message");
                assertThrows(PipeTimeoutException.class, () -> client.receive(Duration.ofMillis(50)), "nor is it after a second wait");
                write(server, ByteBuffer.wrap(message, 7, message.length - 7));

                assertArrayEquals(message, client.receive(TIMEOUT), "the next receive gets the whole message");
                write(server, ByteBuffer.allocate(4 + 2).putInt(2).put(new byte[] {'o', 'k'}).flip());
                assertArrayEquals(new byte[] {'o', 'k'}, client.receive(TIMEOUT), "and the frames after it stay in step");
            }
        } finally {
            Files.deleteIfExists(socket);
        }
    }

    @Test
    void aStreamReadThatTimesOutLosesNoByte() throws Exception {
        Path socket = SocketPaths.forName(PipeName.of(name));
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(socket));
            try (PipeClient client = PipeClient.builder(name).transport(Transport.UNIX_DOMAIN_SOCKETS).readMode(io.pipekit.core.ReadMode.BYTE)
                    .receiveTimeout(Duration.ofMillis(200)).connectTimeout(TIMEOUT).connect();
                    SocketChannel server = listener.accept()) {
                InputStream in = client.inputStream();
                write(server, ByteBuffer.wrap(new byte[] {1, 2, 3}));
                byte[] first = in.readNBytes(3);
                assertThrows(PipeTimeoutException.class, () -> in.read(), "nothing more yet");

                write(server, ByteBuffer.wrap(new byte[] {4, 5}));
                assertArrayEquals(new byte[] {1, 2, 3}, first);
                assertArrayEquals(new byte[] {4, 5}, in.readNBytes(2), "the stream goes on where it was");
            }
        } finally {
            Files.deleteIfExists(socket);
        }
    }

    private static void write(SocketChannel channel, ByteBuffer bytes) throws Exception {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }
}
