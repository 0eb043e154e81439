package io.pipekit.it.sockets;

import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.EventLoopGroup;
import io.pipekit.core.PeerIdentity;
import io.pipekit.netty.NettyPipeAddress;
import io.pipekit.netty.PipeChannelOption;
import io.pipekit.netty.PipeNetty;
import io.pipekit.netty.PipePeerAddress;
import io.pipekit.server.Admission;
import java.io.IOException;
import java.util.function.Consumer;

/** The gRPC recipe of docs/netty.md, as code that {@link PipeNettyGrpcSpec} runs. */
final class PipeNettyRecipes {
    private PipeNettyRecipes() {
    }

    /**
     * A grpc-java Netty server on a pipe: pipe-netty's server channel on PipeNetty's event loop
     * group, which serves as boss and worker both, with an admission. The caller owns {@code loop}
     * and shuts it down after the server.
     */
    static Server server(NettyPipeAddress address, EventLoopGroup loop, Admission admission, ServerServiceDefinition service)
            throws IOException {
        Server server = NettyServerBuilder.forAddress(address)
                .channelType(PipeNetty.serverChannelType())
                .bossEventLoopGroup(loop)
                .workerEventLoopGroup(loop)                         // channel type and both groups, or none: grpc checks
                .withOption(PipeChannelOption.ADMISSION, admission) // before a connection reaches gRPC
                .addService(service)
                .build()
                .start();
        return server;
    }

    /** A grpc-java Netty channel to a pipe, on pipe-netty's client channel. */
    static ManagedChannel channel(NettyPipeAddress address, EventLoopGroup loop) {
        ManagedChannel channel = NettyChannelBuilder.forAddress(address)
                .channelType(PipeNetty.channelType())
                .eventLoopGroup(loop)                // with the channel type, or neither: grpc checks
                .overrideAuthority("localhost")      // else the pipe's path is the :authority (grpc-java#12664)
                .usePlaintext()
                .build();
        return channel;
    }

    /** A server interceptor that hands each call's caller, as the pipe read it, to {@code callers}. */
    static ServerInterceptor callerIdentity(Consumer<PeerIdentity> callers) {
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                PipePeerAddress caller = (PipePeerAddress) call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
                PeerIdentity identity = caller.identity();
                callers.accept(identity);
                return next.startCall(call, headers);
            }
        };
    }
}
