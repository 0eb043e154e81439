package io.pipekit.nettyexample;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.pipekit.netty.NettyPipeAddress;
import io.pipekit.netty.PipeChannel;
import io.pipekit.netty.PipeNetty;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Serves an echo on the pipe named by its argument and calls it once, with the channel classes
 * PipeNetty hands out (which Netty's bootstraps make reflectively); prints the reply and who served it.
 */
public final class EchoOverNetty {
    private EchoOverNetty() {
    }

    public static void main(String[] args) throws Exception {
        EventLoopGroup group = PipeNetty.eventLoopGroup(1);
        try {
            NettyPipeAddress address = PipeNetty.address(args[0]);
            Channel server = new ServerBootstrap().group(group).channel(PipeNetty.serverChannelType())
                    .childHandler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ctx.writeAndFlush(msg);
                        }
                    }).bind(address).sync().channel();
            CompletableFuture<String> reply = new CompletableFuture<>();
            Channel client = new Bootstrap().group(group).channel(PipeNetty.channelType())
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ByteBuf bytes = (ByteBuf) msg;
                            reply.complete(bytes.toString(StandardCharsets.UTF_8));
                            bytes.release();
                        }
                    }).connect(address).sync().channel();
            client.writeAndFlush(Unpooled.copiedBuffer("netty modular hello", StandardCharsets.UTF_8));
            System.out.println(reply.get(30, TimeUnit.SECONDS));
            System.out.println("served by uid " + ((PipeChannel) client).peerIdentity().uid().orElse(-1));
            client.close().sync();
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        }
    }
}
