package io.pipekit.netty.unix;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketMultipleConnectTest;
import java.net.SocketAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.channels.AlreadyConnectedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Netty's {@code SocketMultipleConnectTest} on the Unix pipe channels: a second connect on a
 * connected channel fails. Netty's method binds the server to {@code localhost:0} itself, so it is
 * replaced by the same steps on a pipe's address.
 */
@UnixPipeSuite
class UnixPipeSocketMultipleConnectTest extends SocketMultipleConnectTest {
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

    @Test
    @Override
    public void testMultipleConnect(TestInfo testInfo) throws Throwable {
        run(testInfo, (sb, cb) -> {
            Channel server = sb.childHandler(new ChannelInboundHandlerAdapter()).bind(newSocketAddress()).syncUninterruptibly().channel();
            Channel client = cb.handler(new ChannelInboundHandlerAdapter()).register().syncUninterruptibly().channel();
            try {
                client.connect(server.localAddress()).syncUninterruptibly();
                assertInstanceOf(AlreadyConnectedException.class, client.connect(server.localAddress()).await().cause());
            } finally {
                client.close().sync();
                server.close().sync();
            }
        });
    }
}
