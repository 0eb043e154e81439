package io.pipekit.netty.unix;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.CompositeBufferGatheringWriteTest;
import java.net.SocketAddress;
import java.util.List;

/** Netty's {@code CompositeBufferGatheringWriteTest} on the Unix pipe channels: composite buffers written with a small send buffer (SO_SNDBUF). */
@UnixPipeSuite
class UnixPipeCompositeBufferGatheringWriteTest extends CompositeBufferGatheringWriteTest {
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
