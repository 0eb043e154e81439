package io.pipekit.it.sockets;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.testing.integration.TestServiceGrpc;
import io.grpc.testing.integration.TestServiceGrpc.TestServiceBlockingStub;
import io.grpc.testing.integration.TestServiceGrpc.TestServiceStub;
import io.netty.channel.EventLoopGroup;
import io.pipekit.netty.PipeNetty;
import io.pipekit.testing.WindowsOnly;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * gRPC between two implementations over a Windows named pipe, Java calling Go: grpc-java's Netty
 * client on pipe-netty's named-pipe channel ({@link PipeNettyRecipes#channel}) runs each of gRPC's
 * interop cases, as {@link GrpcInteropCases} asserts them, against grpc-go's interop server
 * listening through go-winio's {@code ListenPipe} ({@link GoPeer#grpc}), one test and one Go server
 * each. {@link GoGrpcClientToPipeNettyTest} is the other direction.
 *
 * <p>The {@code @Timeout}s only stop a hang from holding up the suite; nothing here is timed.
 */
@WindowsOnly
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class PipeNettyToGoGrpcServerTest implements GrpcInteropSpec {
    @TempDir
    Path dir;
    private EventLoopGroup loop;
    private GoPeer server;
    private ManagedChannel channel;
    private GrpcInteropCases interop;

    @Override
    public GrpcInteropCases interop() {
        return interop;
    }

    @BeforeEach
    void startGoServerAndChannel() throws Exception {
        loop = PipeNetty.eventLoopGroup(1);
        server = GoPeer.grpc(dir);
        channel = PipeNettyRecipes.channel(PipeNetty.address(server.pipeName), loop);
        interop = new GrpcInteropCases(this::blocking, this::async);
    }

    @AfterEach
    void stopChannelAndGoServer() throws Exception {
        try {
            channel.shutdownNow();
            assertTrue(channel.awaitTermination(30, TimeUnit.SECONDS), "the channel stops");
        } finally {
            try {
                server.close();
            } finally {
                assertTrue(loop.shutdownGracefully(0, 10, TimeUnit.SECONDS).await(60, TimeUnit.SECONDS), "the loop stops");
            }
        }
    }

    private TestServiceBlockingStub blocking() {
        return TestServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    private TestServiceStub async() {
        return TestServiceGrpc.newStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }
}
