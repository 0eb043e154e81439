package io.pipekit.netty.windows;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.testsuite.transport.TestsuitePermutation;
import io.netty.testsuite.transport.socket.SocketFixedLengthEchoTest;
import io.pipekit.testing.WindowsOnly;
import java.net.SocketAddress;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;

/** Netty's {@code SocketFixedLengthEchoTest} over named pipes: fixed-length framing over partial reads. */
@WindowsOnly
@ExtendWith(PipeTestPermutation.Lifecycle.class)
class WindowsPipeSocketFixedLengthEchoTest extends SocketFixedLengthEchoTest {
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
