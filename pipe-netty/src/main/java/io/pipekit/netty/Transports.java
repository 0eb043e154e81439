package io.pipekit.netty;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.pipekit.core.Transport;
import io.pipekit.netty.unix.UnixPipeChannel;
import io.pipekit.netty.unix.UnixPipeServerChannel;
import io.pipekit.netty.windows.NamedPipeChannel;
import io.pipekit.netty.windows.NamedPipeServerChannel;
import io.pipekit.netty.windows.PipeEventLoopGroup;

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
     * The Windows transport: named pipe channels on pipekit's completion-routine loop
     * ({@code io.pipekit.netty.windows}). The only place PipeNetty reaches it; a nested class, so
     * that Unix never loads the Windows classes (they bind kernel32 when they load).
     */
    private static final class Windows {
        private Windows() {
        }

        static EventLoopGroup eventLoopGroup(int threads) {
            return new PipeEventLoopGroup(threads);
        }

        static Class<? extends PipeServerChannel> serverChannelType() {
            return NamedPipeServerChannel.class;
        }

        static Class<? extends PipeChannel> channelType() {
            return NamedPipeChannel.class;
        }
    }
}
