package io.pipekit.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import io.pipekit.core.PipeType;

/** The message-pipe recipe of docs/netty.md, as code that {@link MessagePipeSpec} runs. */
public final class MessagePipeRecipes {
    private MessagePipeRecipes() {
    }

    /**
     * A Netty server for pipekit's {@code PipeClient}: a message-type pipe, whose children hand
     * {@code handler} one {@code ByteBuf} per message and send each {@code ByteBuf} written as one.
     */
    public static Channel server(String name, EventLoopGroup loop, ChannelHandler handler) throws InterruptedException {
        Channel server = new ServerBootstrap()
                .group(loop)
                .channel(PipeNetty.serverChannelType())
                .option(PipeChannelOption.PIPE_TYPE, PipeType.MESSAGE) // PipeClient's messages, whole
                .childHandler(handler)                                 // each channelRead is one message
                .bind(PipeNetty.address(name))
                .sync()
                .channel();
        return server;
    }

    /** A Netty client of pipekit's {@code PipeServer}, whose pipes carry messages by default. */
    public static Channel client(String name, EventLoopGroup loop, ChannelHandler handler) throws InterruptedException {
        Channel client = new Bootstrap()
                .group(loop)
                .channel(PipeNetty.channelType())
                .option(PipeChannelOption.PIPE_TYPE, PipeType.MESSAGE) // before the connect
                .handler(handler)
                .connect(PipeNetty.address(name))
                .sync()
                .channel();
        return client;
    }
}
