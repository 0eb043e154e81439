package io.pipekit.it.sockets;

import io.grpc.ManagedChannel;
import io.netty.channel.EventLoopGroup;
import io.pipekit.netty.NettyPipeAddress;
import io.pipekit.netty.PipeNetty;
import io.pipekit.testing.WindowsOnly;
import java.util.UUID;

/**
 * grpc-java's Netty server and Netty client, both on pipe-netty's named-pipe channels and
 * pipekit's completion-routine loop ({@link PipeNettyGrpcSpec}): natively on Windows, under Wine
 * from Linux.
 */
@WindowsOnly
class WindowsPipeNettyGrpcTest extends PipeNettyGrpcSpec {
    @Override
    protected NettyPipeAddress newAddress() {
        return PipeNetty.address("pipekit-grpc-netty-" + UUID.randomUUID());
    }

    @Override
    protected ManagedChannel newChannel(NettyPipeAddress address, EventLoopGroup loop) {
        return PipeNettyRecipes.channel(address, loop);
    }
}
