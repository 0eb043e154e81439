package io.pipekit.it.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.integration.Messages.StreamingOutputCallRequest;
import io.grpc.testing.integration.Messages.StreamingOutputCallResponse;
import io.grpc.testing.integration.TestServiceGrpc;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.channel.ServerChannel;
import io.pipekit.core.windows.NativeAllocations;
import io.pipekit.core.windows.NativeHandles;
import io.pipekit.netty.NettyPipeAddress;
import io.pipekit.netty.PipeChannelOption;
import io.pipekit.netty.PipeNetty;
import io.pipekit.server.Admission;
import io.pipekit.testing.WindowsOnly;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 27's "closing the event loop group under load": grpc-java's server and clients on
 * pipe-netty's named-pipe channels, several connections each with a held bidirectional stream and a
 * server stream flooding it, and then the server's event loop group is shut down under them. Every
 * channel on that group ends (the listener and each accepted connection), every call in flight ends
 * on the client, and once the clients' group has closed too, pipekit's native handles and
 * allocations ({@link NativeHandles}, {@link NativeAllocations}) are back where they were before
 * either group existed: no pipe handle, OVERLAPPED or buffer outlives a loop shut down mid-I/O.
 * (The gRPC {@code Server} object itself never reports terminated after its group went first; see
 * the end of the test: that is grpc-java's and Netty's, with any transport.)
 *
 * <p>The waits are bounds that fail a hang, never measurements.
 */
@WindowsOnly
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class WindowsPipeNettyGroupCloseUnderLoadTest {
    private static final int CONNECTIONS = 4;

    @Test
    void closingTheServersGroupUnderLoadEndsEveryChannelAndFreesEveryHandle() throws Exception {
        long handlesBefore = NativeHandles.liveCount();
        long allocationsBefore = NativeAllocations.liveCount();
        EventLoopGroup serverLoop = PipeNetty.eventLoopGroup(2);
        EventLoopGroup clientLoop = PipeNetty.eventLoopGroup(2);
        NettyPipeAddress address = PipeNetty.address("pipekit-grpc-close-" + UUID.randomUUID());
        Queue<Channel> serverChannels = new ConcurrentLinkedQueue<>();
        Queue<Channel> clientChannels = new ConcurrentLinkedQueue<>();
        Server server = NettyServerBuilder.forAddress(address)
                .channelFactory(() -> {
                    ServerChannel listener = new ReflectiveChannelFactory<>(PipeNetty.serverChannelType()).newChannel();
                    serverChannels.add(listener);
                    listener.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object child) {
                            serverChannels.add((Channel) child);
                            ctx.fireChannelRead(child);
                        }
                    });
                    return listener;
                })
                .bossEventLoopGroup(serverLoop).workerEventLoopGroup(serverLoop)
                .withOption(PipeChannelOption.ADMISSION, Admission.sameUser())
                .addService(new InteropTestService())
                .build().start();
        List<ManagedChannel> channels = new ArrayList<>();
        List<RecordingObserver<StreamingOutputCallResponse>> held = new ArrayList<>();
        List<RecordingObserver<StreamingOutputCallResponse>> floods = new ArrayList<>();
        try {
            for (int i = 0; i < CONNECTIONS; i++) {
                ManagedChannel channel = NettyChannelBuilder.forAddress(address)
                        .channelFactory(() -> {
                            Channel client = new ReflectiveChannelFactory<>(PipeNetty.channelType()).newChannel();
                            clientChannels.add(client);
                            return client;
                        })
                        .eventLoopGroup(clientLoop)
                        .overrideAuthority("localhost")
                        .usePlaintext()
                        .build();
                channels.add(channel);
                // A stream held open: it can only end because its connection does.
                RecordingObserver<StreamingOutputCallResponse> stream = new RecordingObserver<>();
                StreamObserver<StreamingOutputCallRequest> requests = TestServiceGrpc.newStub(channel).fullDuplexCall(stream);
                requests.onNext(StreamingOutputCallRequest.newBuilder().addResponseParameters(GrpcInteropCases.size(1024)).build());
                assertEquals(1024, stream.next().getPayload().getBody().size());
                held.add(stream);
                // And a flood on the same connection: 4,000 responses of 32 KiB, in flight when the group closes.
                StreamingOutputCallRequest.Builder flood = StreamingOutputCallRequest.newBuilder();
                for (int r = 0; r < 4000; r++) {
                    flood.addResponseParameters(GrpcInteropCases.size(32 * 1024));
                }
                RecordingObserver<StreamingOutputCallResponse> flooded = new RecordingObserver<>();
                TestServiceGrpc.newStub(channel).streamingOutputCall(flood.build(), flooded);
                flooded.next();
                floods.add(flooded);
            }
            assertEquals(CONNECTIONS, clientChannels.size(), "one pipe connection per gRPC channel");
            assertEquals(CONNECTIONS + 1, serverChannels.size(), "the listener and one child per connection");

            assertTrue(serverLoop.shutdownGracefully(0, 10, TimeUnit.SECONDS).await(60, TimeUnit.SECONDS), "the server's group ends");

            for (Channel channel : serverChannels) {
                assertFalse(channel.isOpen(), "a server channel outlived its group: " + channel);
                assertTrue(channel.closeFuture().isDone(), "a server channel's close never completed: " + channel);
            }
            for (RecordingObserver<StreamingOutputCallResponse> stream : held) {
                Status end = stream.end();
                assertNotEquals(Status.Code.OK, end.getCode(), "a held stream ended OK though its server went away");
            }
            for (RecordingObserver<StreamingOutputCallResponse> flooded : floods) {
                flooded.end(); // ended one way or another (it may have finished first), never left hanging
            }
        } finally {
            for (ManagedChannel channel : channels) {
                channel.shutdownNow();
                assertTrue(channel.awaitTermination(30, TimeUnit.SECONDS), "a client channel stops");
            }
            // Not awaited: grpc-java's NettyServer learns that its channels closed through listeners
            // on their futures, which Netty runs on the channels' event loop; once that loop has
            // terminated it rejects them ("Failed to submit a listener notification task"), so a
            // server whose group was shut down under it never reports terminated. Netty's own NIO
            // group does the same (tried on Linux); what this test holds pipe-netty to is above.
            server.shutdownNow();
            serverLoop.shutdownGracefully(0, 10, TimeUnit.SECONDS).await(60, TimeUnit.SECONDS);
            assertTrue(clientLoop.shutdownGracefully(0, 10, TimeUnit.SECONDS).await(60, TimeUnit.SECONDS), "the clients' group ends");
        }
        for (Channel channel : clientChannels) {
            assertFalse(channel.isOpen(), "a client channel outlived its group: " + channel);
        }
        assertEquals(handlesBefore, NativeHandles.liveCount(), "pipekit's live handles once both groups closed");
        assertEquals(allocationsBefore, NativeAllocations.liveCount(), "pipekit's live native allocations once both groups closed");
    }
}
