package io.pipekit.netty.windows;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.testsuite.transport.TestsuitePermutation;
import io.netty.testsuite.transport.socket.SocketAddressesTest;
import io.pipekit.testing.WindowsOnly;
import java.net.SocketAddress;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;

/** Netty's {@code SocketAddressesTest} over named pipes: local and remote addresses on both ends. */
@WindowsOnly
@ExtendWith(PipeTestPermutation.Lifecycle.class)
class WindowsPipeSocketAddressesTest extends SocketAddressesTest {
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

    /** Both ends' addresses are the pipe; an accepted channel's remote one also names its client. */
    @Override
    protected void assertAddress(SocketAddress address) {
        if (address instanceof io.pipekit.netty.PipePeerAddress peer) {
            org.junit.jupiter.api.Assertions.assertNotNull(peer.identity());
            return;
        }
        org.junit.jupiter.api.Assertions.assertInstanceOf(io.pipekit.netty.NettyPipeAddress.class, address);
    }
}
