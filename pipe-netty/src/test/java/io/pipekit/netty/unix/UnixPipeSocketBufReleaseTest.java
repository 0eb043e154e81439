package io.pipekit.netty.unix;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketBufReleaseTest;
import java.net.SocketAddress;
import java.util.List;

/** Netty's {@code SocketBufReleaseTest} on the Unix pipe channels: every buffer written is released. */
@UnixPipeSuite
class UnixPipeSocketBufReleaseTest extends SocketBufReleaseTest {
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
}
