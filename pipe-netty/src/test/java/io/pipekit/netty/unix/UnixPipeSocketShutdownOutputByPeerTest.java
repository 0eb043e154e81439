package io.pipekit.netty.unix;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapFactory;
import io.netty.testsuite.transport.socket.AbstractSocketShutdownOutputByPeerTest;
import io.pipekit.core.unix.SocketPaths;
import io.pipekit.netty.NettyPipeAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;

/**
 * Netty's by-peer half-close test on the Unix pipe server channel: the peer is a plain JDK socket
 * channel that shuts its output down, as Netty's epoll domain socket test does it with its own
 * socket. With {@code ALLOW_HALF_CLOSURE} the child sees its input end and stays open; without, it closes.
 */
@UnixPipeSuite
class UnixPipeSocketShutdownOutputByPeerTest extends AbstractSocketShutdownOutputByPeerTest<SocketChannel> {
    @Override
    protected List<BootstrapFactory<ServerBootstrap>> newFactories() {
        return List.of(() -> UnixPipeTestPermutation.socket().get(0).newServerInstance());
    }

    @Override
    protected SocketAddress newSocketAddress() {
        return UnixPipeTestPermutation.newAddress();
    }

    @Override
    protected List<ByteBufAllocator> newAllocators() {
        return UnixPipeTestPermutation.allocators();
    }

    @Override
    protected void shutdownOutput(SocketChannel s) throws IOException {
        s.shutdownOutput();
    }

    @Override
    protected void connect(SocketChannel s, SocketAddress address) throws IOException {
        s.connect(UnixDomainSocketAddress.of(SocketPaths.forName(((NettyPipeAddress) address).pipeName())));
    }

    @Override
    protected void close(SocketChannel s) throws IOException {
        s.close();
    }

    @Override
    protected void write(SocketChannel s, int data) throws IOException {
        s.write(ByteBuffer.wrap(new byte[] {(byte) data}));
    }

    @Override
    protected SocketChannel newSocket() {
        try {
            return SocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
