package io.pipekit.client.unix;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.client.PipeClient;
import io.pipekit.core.MessageTooLargeException;
import io.pipekit.core.PipeName;
import io.pipekit.core.ReadMode;
import io.pipekit.core.Transport;
import io.pipekit.core.unix.SocketPaths;
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
import org.junit.jupiter.api.function.Executable;

/**
 * Issue 25: on Unix domain sockets {@link ReadMode#AUTO} cannot learn that a server is byte-type
 * (a socket carries no pipe type, and there is no handshake), so it reads frames; a byte-type
 * server's text reply then read as a frame header announcing some hundreds of megabytes, and the
 * client said only "frame of 1213486160 bytes announced, more than the limit". The failure now
 * shows the header as the text it is and says to connect with {@link ReadMode#BYTE}, through
 * {@code receive} and the stream alike. The server here is a raw socket answering like HTTP.
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class AutoReadModeOfAByteServerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final String name = "pipekit-test-" + UUID.randomUUID();

    private void assertClearFailureOnAnHttpReply(java.util.function.Function<PipeClient, Executable> read) throws Exception {
        Path socket = SocketPaths.forName(PipeName.of(name));
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            listener.bind(UnixDomainSocketAddress.of(socket));
            try (PipeClient client = PipeClient.builder(name).transport(Transport.UNIX_DOMAIN_SOCKETS).receiveTimeout(TIMEOUT)
                    .connectTimeout(TIMEOUT).connect();
                    SocketChannel server = listener.accept()) {
                assertEquals(ReadMode.MESSAGE, client.readMode(), "AUTO reads messages on a socket");
                ByteBuffer reply = ByteBuffer.wrap("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".getBytes(US_ASCII));
                while (reply.hasRemaining()) {
                    server.write(reply);
                }

                MessageTooLargeException e = assertThrows(MessageTooLargeException.class, read.apply(client));

                assertTrue(e.getMessage().contains("\"HTTP\""), e.getMessage());
                assertTrue(e.getMessage().contains("ReadMode.BYTE"), e.getMessage());
            }
        } finally {
            Files.deleteIfExists(socket);
        }
    }

    @Test
    void receiveOfAByteServersTextReplySaysToReadInByteMode() throws Exception {
        assertClearFailureOnAnHttpReply(client -> client::receive);
    }

    @Test
    void streamReadOfAByteServersTextReplySaysToReadInByteMode() throws Exception {
        assertClearFailureOnAnHttpReply(client -> () -> client.inputStream().read(new byte[64]));
    }
}
