package io.pipekit.netty.unix;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketAddressesTest;
import java.net.SocketAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.pipekit.netty.NettyPipeAddress;
import io.pipekit.netty.PipePeerAddress;
import io.pipekit.core.unix.PeerCredentials;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** Netty's {@code SocketAddressesTest} on the Unix pipe channels: both ends' addresses are the pipe's: the pipe itself, or the pipe and who is at its other end. */
@UnixPipeSuite
class UnixPipeSocketAddressesTest extends SocketAddressesTest {
    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return UnixPipeTestPermutation.socket();
    }

    @Override
    protected SocketAddress newSocketAddress() {
        return UnixPipeTestPermutation.newAddress();
    }

    @Override
    protected List<ByteBufAllocator> newAllocators() {
        return UnixPipeTestPermutation.allocators();
    }

    /** A local address is the pipe; a remote one is the pipe and this process (both ends are this test). */
    @Override
    protected void assertAddress(SocketAddress address) {
        if (address instanceof PipePeerAddress peer) {
            assertEquals(PeerCredentials.currentUid(), peer.identity().uid().getAsLong());
        } else {
            assertInstanceOf(NettyPipeAddress.class, address);
        }
    }

    /**
     * Netty connects from a local address of the test's choosing here; a pipe client has no socket
     * path of its own, so such a connect fails, saying so, and leaves nothing behind.
     */
    @Test
    @Override
    public void testAddresses(TestInfo testInfo) throws Throwable {
        run(testInfo, (sb, cb) -> {
            Channel server = sb.childHandler(new ChannelInboundHandlerAdapter()).bind().sync().channel();
            try {
                Channel client = cb.handler(new ChannelInboundHandlerAdapter()).register().sync().channel();
                Throwable failed = client.connect(server.localAddress(), newSocketAddress()).await().cause();
                assertInstanceOf(UnsupportedOperationException.class, failed);
                client.closeFuture().await();
            } finally {
                server.close().sync();
            }
        });
    }
}
