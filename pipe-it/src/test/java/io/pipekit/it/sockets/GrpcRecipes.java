package io.pipekit.it.sockets;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.okhttp.OkHttpChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.pipekit.client.PipeSocketFactory;
import java.io.IOException;
import java.nio.file.Path;
import javax.net.SocketFactory;

/** The gRPC recipe of docs/sockets.md, as code that {@link GrpcOverUnixSocketTest} runs. */
final class GrpcRecipes {
    private GrpcRecipes() {
    }

    /** The socket factory for a gRPC server's Unix domain socket. */
    static SocketFactory serverSocket(Path path) {
        SocketFactory sockets = PipeSocketFactory.of("unix://" + path);
        return sockets;
    }

    /**
     * A grpc-java channel whose one connection is a pipekit socket: grpc-java's OkHttp transport,
     * which takes a SocketFactory, in plaintext (HTTP/2 with prior knowledge).
     */
    static ManagedChannel channel(SocketFactory sockets) {
        ManagedChannel channel = OkHttpChannelBuilder.forAddress("localhost", 80) // not dialled: the factory connects
                .socketFactory(sockets)
                .overrideAuthority("localhost") // the :authority; never the socket path (grpc-java#12664)
                .usePlaintext()
                .build();
        return channel;
    }

    /**
     * The peer: grpc-java's Netty server on a Unix domain socket, on Linux's epoll (the native
     * transport Netty needs for one). The caller owns {@code loop} and shuts it down after the server.
     */
    static Server nettyServer(Path path, EventLoopGroup loop, ServerServiceDefinition service) throws IOException {
        Server server = NettyServerBuilder.forAddress(new DomainSocketAddress(path.toString()))
                .channelType(EpollServerDomainSocketChannel.class)
                .bossEventLoopGroup(loop)
                .workerEventLoopGroup(loop)
                .addService(service)
                .build()
                .start();
        return server;
    }
}
