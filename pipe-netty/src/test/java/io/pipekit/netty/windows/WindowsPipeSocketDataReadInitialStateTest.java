package io.pipekit.netty.windows;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.testsuite.transport.TestsuitePermutation;
import io.netty.testsuite.transport.socket.SocketDataReadInitialStateTest;
import io.pipekit.testing.WindowsOnly;
import java.net.SocketAddress;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;

/** Netty's {@code SocketDataReadInitialStateTest} over named pipes: no data before the first read() with auto-read off. */
@WindowsOnly
@ExtendWith(PipeTestPermutation.Lifecycle.class)
class WindowsPipeSocketDataReadInitialStateTest extends SocketDataReadInitialStateTest {
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
}
