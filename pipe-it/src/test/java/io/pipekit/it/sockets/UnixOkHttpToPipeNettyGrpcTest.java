package io.pipekit.it.sockets;

import io.grpc.ManagedChannel;
import io.netty.channel.EventLoopGroup;
import io.pipekit.client.PipeSocketFactory;
import io.pipekit.netty.NettyPipeAddress;
import io.pipekit.netty.PipeNetty;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * A second HTTP/2 stack against the same server: grpc-java's OkHttp client over a
 * {@link PipeSocketFactory} (docs/sockets.md's recipe) calls grpc-java's Netty server on
 * pipe-netty's Unix channels ({@link PipeNettyGrpcSpec}).
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class UnixOkHttpToPipeNettyGrpcTest extends PipeNettyGrpcSpec {
    private static final AtomicLong NEXT = new AtomicLong();

    @Override
    protected NettyPipeAddress newAddress() {
        return PipeNetty.address("grpc-okhttp-" + ProcessHandle.current().pid() + "-" + NEXT.incrementAndGet());
    }

    @Override
    protected ManagedChannel newChannel(NettyPipeAddress address, EventLoopGroup loop) {
        return GrpcRecipes.channel(PipeSocketFactory.of(address.pipeAddress()));
    }
}
