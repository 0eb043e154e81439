package io.pipekit.netty;

import io.netty.channel.EventLoopGroup;

/**
 * Where a Netty application starts with pipes: the event loop group, the channel classes and the
 * address for this OS, picked the way gRPC's own {@code Utils} picks epoll or NIO.
 *
 * <pre>{@code
 * EventLoopGroup group = PipeNetty.eventLoopGroup(1);
 * new ServerBootstrap().group(group).channel(PipeNetty.serverChannelType())
 *         .childHandler(...).bind(PipeNetty.address("greeter"));
 * new Bootstrap().group(group).channel(PipeNetty.channelType())
 *         .handler(...).connect(PipeNetty.address("greeter"));
 * }</pre>
 *
 * <p>On Linux and macOS the channels are Unix domain sockets on Netty's own NIO event loop
 * ({@code NioEventLoopGroup}), with pipekit's socket paths, secure defaults, identity and admission.
 * On Windows they are named pipes on pipekit's completion-routine loop. The channels run only on
 * the group this class makes. docs/netty.md has the options and a gRPC recipe.
 */
public final class PipeNetty {
    private PipeNetty() {
    }

    /**
     * An event loop group the pipe channels of this OS run on, with {@code threads} threads named
     * {@code pipekit-netty-...}. One thread serves many connections; a pipe server needs no more.
     *
     * @throws IllegalArgumentException if {@code threads} is below 1
     */
    public static EventLoopGroup eventLoopGroup(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads: " + threads + " (expected: at least 1)");
        }
        return Transports.eventLoopGroup(threads);
    }

    /**
     * The server channel class of this OS, for {@code ServerBootstrap.channel} or gRPC's
     * {@code NettyServerBuilder.channelType}.
     */
    public static Class<? extends PipeServerChannel> serverChannelType() {
        return Transports.serverChannelType();
    }

    /**
     * The connection channel class of this OS, for {@code Bootstrap.channel} or gRPC's
     * {@code NettyChannelBuilder.channelType}.
     */
    public static Class<? extends PipeChannel> channelType() {
        return Transports.channelType();
    }

    /**
     * The address of a pipe, in any form {@link NettyPipeAddress#parse} takes: a name
     * ({@code greeter}), {@code \\.\pipe\greeter}, {@code unix:///run/app.sock}, an absolute path.
     */
    public static NettyPipeAddress address(String address) {
        return NettyPipeAddress.parse(address);
    }
}
