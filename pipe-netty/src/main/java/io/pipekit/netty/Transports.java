package io.pipekit.netty;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.pipekit.core.Transport;
import io.pipekit.netty.unix.UnixPipeChannel;
import io.pipekit.netty.unix.UnixPipeServerChannel;

/** The transport of this OS behind {@link PipeNetty}: the one switch between the Unix and the Windows classes. */
final class Transports {
    private static final boolean WINDOWS = Transport.forThisOs() == Transport.WINDOWS_NAMED_PIPES;

    private Transports() {
    }

    static EventLoopGroup eventLoopGroup(int threads) {
        // Unix: Netty's own NIO loop; the channels are NIO channels of pipekit's (docs/design/pipe-netty.md 3.4).
        return WINDOWS ? Windows.eventLoopGroup(threads) : new NioEventLoopGroup(threads, new DefaultThreadFactory("pipekit-netty"));
    }

    static Class<? extends PipeServerChannel> serverChannelType() {
        return WINDOWS ? Windows.serverChannelType() : UnixPipeServerChannel.class;
    }

    static Class<? extends PipeChannel> channelType() {
        return WINDOWS ? Windows.channelType() : UnixPipeChannel.class;
    }

    /**
     * The Windows transport (issue 27 stage 2: io.pipekit.netty.windows, the completion-routine
     * loop and the named pipe channels). The only place PipeNetty reaches it.
     */
    private static final class Windows {
        private Windows() {
        }

        static EventLoopGroup eventLoopGroup(int threads) {
            throw notYet();
        }

        static Class<? extends PipeServerChannel> serverChannelType() {
            throw notYet();
        }

        static Class<? extends PipeChannel> channelType() {
            throw notYet();
        }

        private static UnsupportedOperationException notYet() {
            return new UnsupportedOperationException("named pipe channels: issue 27 stage 2");
        }
    }
}
