package io.pipekit.netty.unix;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.testsuite.transport.TestsuitePermutation;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.pipekit.netty.NettyPipeAddress;
import io.pipekit.netty.PipeNetty;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How Netty's transport tests meet the Unix pipe channels: one server and one client bootstrap, both
 * on PipeNetty's classes and groups, and a fresh socket name each time a test asks for an address
 * (there is no port 0 to let the system choose). Netty's own {@code SocketTestPermutation} is not
 * used: initialising it starts NIO and OIO groups of its own.
 */
public final class UnixPipeTestPermutation {
    /** The server's loop: one thread for the listener and its children, as a pipe server has. */
    static final EventLoopGroup SERVER_GROUP = PipeNetty.eventLoopGroup(1);
    /** The clients' loops, apart from the server's, so that a test blocking one side cannot stall the other. */
    static final EventLoopGroup CLIENT_GROUP = PipeNetty.eventLoopGroup(2);
    private static final AtomicLong NEXT = new AtomicLong();

    private UnixPipeTestPermutation() {
    }

    /** The one server/client pairing: pipe server channel, pipe client channel. */
    public static List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> socket() {
        return List.of(new BootstrapComboFactory<>() {
            @Override
            public ServerBootstrap newServerInstance() {
                return new ServerBootstrap().group(SERVER_GROUP).channel(PipeNetty.serverChannelType());
            }

            @Override
            public Bootstrap newClientInstance() {
                return new Bootstrap().group(CLIENT_GROUP).channel(PipeNetty.channelType());
            }

            @Override
            public String toString() {
                return "UnixPipeServerChannel + UnixPipeChannel";
            }
        });
    }

    /** A socket name no other test of this JVM or another one uses (the pid and a counter). */
    public static NettyPipeAddress newAddress() {
        return PipeNetty.address("netty-" + ProcessHandle.current().pid() + "-" + NEXT.incrementAndGet());
    }

    /** Netty's three allocators: unpooled, pooled and adaptive. */
    public static List<ByteBufAllocator> allocators() {
        return TestsuitePermutation.allocator();
    }
}
