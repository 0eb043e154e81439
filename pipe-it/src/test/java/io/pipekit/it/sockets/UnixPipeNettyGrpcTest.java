package io.pipekit.it.sockets;

import io.grpc.ManagedChannel;
import io.netty.channel.EventLoopGroup;
import io.pipekit.netty.NettyPipeAddress;
import io.pipekit.netty.PipeNetty;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * grpc-java's Netty server and Netty client, both on pipe-netty's Unix channels over one Unix
 * domain socket ({@link PipeNettyGrpcSpec}).
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class UnixPipeNettyGrpcTest extends PipeNettyGrpcSpec {
    private static final AtomicLong NEXT = new AtomicLong();

    @Override
    protected NettyPipeAddress newAddress() {
        return PipeNetty.address("grpc-netty-" + ProcessHandle.current().pid() + "-" + NEXT.incrementAndGet());
    }

    @Override
    protected ManagedChannel newChannel(NettyPipeAddress address, EventLoopGroup loop) {
        return PipeNettyRecipes.channel(address, loop);
    }
}
