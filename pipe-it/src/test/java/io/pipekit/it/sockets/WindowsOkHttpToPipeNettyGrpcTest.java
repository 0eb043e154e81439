package io.pipekit.it.sockets;

import io.grpc.ManagedChannel;
import io.netty.channel.EventLoopGroup;
import io.pipekit.client.PipeSocketFactory;
import io.pipekit.netty.NettyPipeAddress;
import io.pipekit.netty.PipeNetty;
import io.pipekit.testing.WindowsOnly;
import java.util.UUID;

/**
 * A second HTTP/2 stack against the same server on Windows: grpc-java's OkHttp client over a
 * {@link PipeSocketFactory} (docs/sockets.md's recipe, pipekit's blocking client) calls
 * grpc-java's Netty server on pipe-netty's named-pipe channels ({@link PipeNettyGrpcSpec}).
 */
@WindowsOnly
class WindowsOkHttpToPipeNettyGrpcTest extends PipeNettyGrpcSpec {
    @Override
    protected NettyPipeAddress newAddress() {
        return PipeNetty.address("pipekit-grpc-okhttp-" + UUID.randomUUID());
    }

    @Override
    protected ManagedChannel newChannel(NettyPipeAddress address, EventLoopGroup loop) {
        return GrpcRecipes.channel(PipeSocketFactory.of(address.pipeAddress()));
    }
}
