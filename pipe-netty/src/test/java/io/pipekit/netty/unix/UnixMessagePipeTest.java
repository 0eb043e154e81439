package io.pipekit.netty.unix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.client.PipeClient;
import io.pipekit.core.MessageTooLargeException;
import io.pipekit.core.PeerClosedException;
import io.pipekit.core.PipeName;
import io.pipekit.core.PipeType;
import io.pipekit.core.unix.SocketPaths;
import io.pipekit.netty.MessagePipeSpec;
import io.pipekit.netty.PipeChannelOption;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * {@link MessagePipeSpec} on Unix domain sockets, where a message is one of pipekit's frames; and
 * what only a socket can be sent: bytes that are not frames at all, and a frame cut short.
 */
@UnixPipeSuite
class UnixMessagePipeTest extends MessagePipeSpec {
    private static final AtomicLong NEXT = new AtomicLong();

    @Override
    protected String newName() {
        return "netty-msg-" + ProcessHandle.current().pid() + "-" + NEXT.incrementAndGet();
    }

    /** A plain socket to the server of {@code name}, which sends what it is told, frames or not. */
    private static SocketChannel rawClient(String name) throws Exception {
        SocketChannel socket = SocketChannel.open(StandardProtocolFamily.UNIX);
        socket.connect(UnixDomainSocketAddress.of(SocketPaths.forName(PipeName.of(name))));
        return socket;
    }

    @Test
    void bytesThatAreNotFramesCloseOnlyTheirConnection() throws Exception {
        String name = newName();
        echoServer(name, server -> server.option(PipeChannelOption.PIPE_TYPE, PipeType.MESSAGE));
        PipeClient good = peer(PipeClient.builder(name).connect());
        try (SocketChannel http = rawClient(name)) {
            http.write(ByteBuffer.wrap("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));

            Throwable refused = childFailures.poll(LIMIT_SECONDS, TimeUnit.SECONDS);
            assertInstanceOf(MessageTooLargeException.class, refused, "\"GET \" read as a frame's length, over the limit");
            assertTrue(refused.getMessage().contains("\"GET \""), refused.getMessage());
            assertEquals(-1, http.read(ByteBuffer.allocate(16)), "its connection closed, nothing sent back");
        }
        byte[] message = bytes(100, 1);
        assertArrayEquals(message, good.transact(message), "the other connection is still served");
    }

    @Test
    void aPeerThatLeavesInsideAFrameIsAPeerClosedException() throws Exception {
        String name = newName();
        echoServer(name, server -> server.option(PipeChannelOption.PIPE_TYPE, PipeType.MESSAGE));
        try (SocketChannel cut = rawClient(name)) {
            cut.write(ByteBuffer.allocate(4 + 10).putInt(100).flip()); // a header for 100 bytes, then 10 of them
        }

        assertInstanceOf(PeerClosedException.class, childFailures.poll(LIMIT_SECONDS, TimeUnit.SECONDS));
    }
}
