package io.pipekit.netty.windows;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.testsuite.transport.TestsuitePermutation;
import io.netty.testsuite.transport.socket.SocketCancelWriteTest;
import io.pipekit.testing.WindowsOnly;
import java.net.SocketAddress;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;

/** Netty's {@code SocketCancelWriteTest} over named pipes: cancelled write promises. */
@WindowsOnly
@ExtendWith(PipeTestPermutation.Lifecycle.class)
class WindowsPipeSocketCancelWriteTest extends SocketCancelWriteTest {
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
