package io.pipekit.netty.windows;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.testsuite.transport.TestsuitePermutation;
import io.netty.testsuite.transport.socket.SocketAutoReadTest;
import io.pipekit.testing.WindowsOnly;
import java.net.SocketAddress;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Netty's {@code SocketAutoReadTest} over named pipes: auto-read switched off and on, exactly one
 * read per {@code read()}.
 *
 * <p>Its body binds the same address twice in a row, closing the first server in between. A TCP
 * port is free again at once; a pipe's name is not, while an instance the first server accepted
 * still exists (its client's handle may close a moment later): on Windows
 * {@code FILE_FLAG_FIRST_PIPE_INSTANCE} then refuses the name, under Wine pipekit's instance count
 * does. So each bind here takes a fresh name, through an outbound handler on the server channel.
 */
@WindowsOnly
@ExtendWith(PipeTestPermutation.Lifecycle.class)
class WindowsPipeSocketAutoReadTest extends SocketAutoReadTest {
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
    public void testAutoReadOffDuringReadOnlyReadsOneTime(ServerBootstrap sb, Bootstrap cb) throws Throwable {
        sb.handler(new FreshNameOnBind());
        super.testAutoReadOffDuringReadOnlyReadsOneTime(sb, cb);
    }

    /** Binds wherever it is asked to bind, under a fresh name; shared by the two servers of one run. */
    @ChannelHandler.Sharable
    private static final class FreshNameOnBind extends ChannelOutboundHandlerAdapter {
        @Override
        public void bind(ChannelHandlerContext ctx, SocketAddress localAddress, ChannelPromise promise) {
            ctx.bind(PipeTestPermutation.newAddress(), promise);
        }
    }
}
