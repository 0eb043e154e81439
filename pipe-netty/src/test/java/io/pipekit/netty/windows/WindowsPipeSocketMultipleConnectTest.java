package io.pipekit.netty.windows;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.testsuite.transport.TestsuitePermutation;
import io.netty.testsuite.transport.socket.SocketMultipleConnectTest;
import io.pipekit.testing.WindowsOnly;
import java.net.SocketAddress;
import java.nio.channels.AlreadyConnectedException;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Netty's {@code SocketMultipleConnectTest} over named pipes: a second connect fails with
 * {@code AlreadyConnectedException}. Its body binds {@code LOCALHOST:0}, a TCP address; the same
 * steps run here on a pipe's address.
 */
@WindowsOnly
@ExtendWith(PipeTestPermutation.Lifecycle.class)
class WindowsPipeSocketMultipleConnectTest extends SocketMultipleConnectTest {
    @Override
    protected List<TestsuitePermutation.BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return PipeTestPermutation.socket();
    }

    @Override
    protected SocketAddress newSocketAddress() {
        return PipeTestPermutation.newAddress();
    }

    @Override
    protected List<ByteBufAllocator> newAllocators() {
        return PipeTestPermutation.allocators();
    }

    @Override
    public void testMultipleConnect(ServerBootstrap sb, Bootstrap cb) throws Exception {
        Channel sc = null;
        Channel cc = null;
        try {
            sb.childHandler(new ChannelInboundHandlerAdapter());
            sc = sb.bind(newSocketAddress()).syncUninterruptibly().channel();
            cb.handler(new ChannelInboundHandlerAdapter());
            cc = cb.register().syncUninterruptibly().channel();
            cc.connect(sc.localAddress()).syncUninterruptibly();
            ChannelFuture second = cc.connect(sc.localAddress()).await();
            assertInstanceOf(AlreadyConnectedException.class, second.cause());
        } finally {
            if (cc != null) {
                cc.close().syncUninterruptibly();
            }
            if (sc != null) {
                sc.close().syncUninterruptibly();
            }
        }
    }
}
