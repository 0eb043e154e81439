package io.pipekit.netty.windows;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.testsuite.transport.TestsuitePermutation;
import io.netty.testsuite.transport.socket.SocketReadPendingTest;
import io.pipekit.testing.WindowsOnly;
import java.net.SocketAddress;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;

/** Netty's {@code SocketReadPendingTest} over named pipes: a read() while one is pending. */
@WindowsOnly
@ExtendWith(PipeTestPermutation.Lifecycle.class)
class WindowsPipeSocketReadPendingTest extends SocketReadPendingTest {
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
