package io.pipekit.netty.unix;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketDataReadInitialStateTest;
import java.net.SocketAddress;
import java.util.List;

/** Netty's {@code SocketDataReadInitialStateTest} on the Unix pipe channels: auto-read off from the start: no data before read(). */
@UnixPipeSuite
class UnixPipeSocketDataReadInitialStateTest extends SocketDataReadInitialStateTest {
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
