package io.pipekit.it.sockets;

import static io.pipekit.it.sockets.GrpcInteropCases.largeRequest;
import static io.pipekit.it.sockets.GrpcInteropCases.size;
import static io.pipekit.it.sockets.GrpcInteropCases.zeros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.integration.EmptyProtos.Empty;
import io.grpc.testing.integration.Messages.SimpleResponse;
import io.grpc.testing.integration.Messages.StreamingOutputCallRequest;
import io.grpc.testing.integration.Messages.StreamingOutputCallResponse;
import io.grpc.testing.integration.TestServiceGrpc;
import io.grpc.testing.integration.TestServiceGrpc.TestServiceBlockingStub;
import io.grpc.testing.integration.TestServiceGrpc.TestServiceStub;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.pipekit.client.PipeSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * A grpc-java client, on its OkHttp transport with a {@link io.pipekit.client.PipeSocketFactory},
 * calls a grpc-java Netty server on a Unix domain socket (issue 26): the gRPC interop cases of
 * grpc/grpc's doc/interop-test-descriptions.md, each asserted as that document words it, so that
 * unary and streaming calls in both directions, metadata, status codes and deadlines all cross a
 * pipekit socket, and several calls at once share its one connection. The server is the interop
 * {@code TestService} ({@link InteropTestService}); the generated classes are grpc-java's own.
 *
 * <p>Linux only (Netty's epoll native is what gives its server a Unix socket); there it always runs,
 * and a native that does not load fails the class instead of skipping it.
 */
@EnabledOnOs(OS.LINUX)
class GrpcOverUnixSocketTest {

    @TempDir
    Path dir;
    private final InteropTestService service = new InteropTestService();
    private final Queue<String> authorities = new ConcurrentLinkedQueue<>();
    private EventLoopGroup loop;
    private Server server;
    private CountingSocketFactory sockets;
    private ManagedChannel channel;
    private GrpcInteropCases interop;

    @BeforeAll
    static void epollNativeLoads() {
        try {
            Epoll.ensureAvailability();
        } catch (Throwable unavailable) {
            fail("Netty's epoll native (netty-transport-native-epoll, linux-x86_64) does not load here, and the gRPC"
                    + " server needs it for a Unix domain socket: " + unavailable, unavailable);
        }
    }

    @BeforeEach
    void startServerAndChannel() throws Exception {
        Path socket = dir.resolve("grpc.sock"); // a new directory, so a socket of its own, for each test
        ServerInterceptor recordAuthority = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                authorities.add(String.valueOf(call.getAuthority()));
                return next.startCall(call, headers);
            }
        };
        loop = new EpollEventLoopGroup(2);
        server = GrpcRecipes.nettyServer(socket, loop,
                ServerInterceptors.intercept(service, new InteropMetadataEcho(), recordAuthority));
        sockets = new CountingSocketFactory(GrpcRecipes.serverSocket(socket));
        channel = GrpcRecipes.channel(sockets);
        interop = new GrpcInteropCases(this::blocking, this::async);
    }

    @AfterEach
    void stopChannelAndServer() throws Exception {
        try {
            channel.shutdownNow();
            assertTrue(channel.awaitTermination(30, TimeUnit.SECONDS), "the channel stops");
            server.shutdownNow();
            assertTrue(server.awaitTermination(30, TimeUnit.SECONDS), "the server stops");
        } finally {
            loop.shutdownGracefully(0, 10, TimeUnit.SECONDS).sync();
        }
        for (Socket socket : sockets.made) {
            assertTrue(socket.isClosed(), "the channel closed its socket: " + socket);
        }
    }

    @Test
    void emptyUnary() {
        interop.emptyUnary();

        assertEquals(List.of("localhost"), List.copyOf(authorities), ":authority is the channel's, never the socket's path");
        assertOneSocketCarriedEverything();
    }

    @Test
    void largeUnary() {
        interop.largeUnary();
    }

    @Test
    void clientStreaming() throws Exception {
        interop.clientStreaming();
    }

    @Test
    void serverStreaming() {
        interop.serverStreaming();
    }

    @Test
    void pingPong() throws Exception {
        interop.pingPong();
    }

    @Test
    void customMetadata() throws Exception {
        interop.customMetadata();

        assertOneSocketCarriedEverything();
    }

    @Test
    void statusCodeAndMessage() throws Exception {
        interop.statusCodeAndMessage();
    }

    @Test
    void timeoutOnSleepingServer() throws Exception {
        interop.timeoutOnSleepingServer();
    }

    /**
     * timeout_on_sleeping_server once more, with a deadline long enough for the request to reach
     * the server first (the 1 ms of the interop case may pass before the call leaves the client):
     * the request crossed the socket, and so did the deadline's end, which cancelled the server's call.
     * No speed is assumed: when the deadline passed before the request arrived (the server's call
     * was cancelled holding no payload: a loaded machine), the call is made again with twice the
     * deadline. Every attempt still ends DEADLINE_EXCEEDED on the client and cancelled on the server.
     */
    @Test
    void aDeadlineThatPassesWhileTheServerSleepsCancelsTheCallOnTheServerToo() throws Exception {
        blocking().emptyCall(Empty.getDefaultInstance()); // the connection is up: the deadline is all the call's
        List<Integer> receivedPerAttempt = new ArrayList<>();
        for (long deadlineSeconds = 3; deadlineSeconds <= 24; deadlineSeconds *= 2) {
            RecordingObserver<StreamingOutputCallResponse> responses = new RecordingObserver<>();
            StreamObserver<StreamingOutputCallRequest> requests = async().withDeadlineAfter(deadlineSeconds, TimeUnit.SECONDS)
                    .fullDuplexCall(responses);
            requests.onNext(StreamingOutputCallRequest.newBuilder().setPayload(zeros(27182)).build());

            assertEquals(Status.Code.DEADLINE_EXCEEDED, responses.end().getCode(), "Call completed with status DEADLINE_EXCEEDED");
            Integer received = service.cancelledDuplexCalls.poll(60, TimeUnit.SECONDS);
            assertNotNull(received, "the server saw its call cancelled");
            receivedPerAttempt.add(received);
            if (received != 0) {
                break; // the request came before the deadline's end
            }
        }
        assertEquals(27182, receivedPerAttempt.get(receivedPerAttempt.size() - 1),
                () -> "the server got the request's payload, then saw its call cancelled; payload bytes per attempt: " + receivedPerAttempt);
        assertOneSocketCarriedEverything();
    }

    /**
     * HTTP/2 multiplexes calls on one connection, so one pipekit socket carries several at once,
     * read by the transport's reader thread while calls write. Eight FullDuplexCalls are all open
     * together (each answered once, none half-closed), large unary calls go among them, then all finish.
     */
    @Test
    void severalCallsAtOnceShareOneSocket() throws Exception {
        List<RecordingObserver<StreamingOutputCallResponse>> responses = new ArrayList<>();
        List<StreamObserver<StreamingOutputCallRequest>> streams = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            RecordingObserver<StreamingOutputCallResponse> observer = new RecordingObserver<>();
            responses.add(observer);
            streams.add(async().fullDuplexCall(observer));
        }
        for (int i = 0; i < 8; i++) {
            streams.get(i).onNext(StreamingOutputCallRequest.newBuilder()
                    .addResponseParameters(size(1000 * i + 1)).setPayload(zeros(27182)).build());
        }
        for (int i = 0; i < 8; i++) {
            assertEquals(1000 * i + 1, responses.get(i).next().getPayload().getBody().size(), "stream " + i + "'s first answer is its own");
        }
        // All eight are open at once now; four large unary calls go among them.
        List<ListenableFuture<SimpleResponse>> unaries = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            unaries.add(TestServiceGrpc.newFutureStub(channel).unaryCall(largeRequest()));
        }
        for (int i = 0; i < 8; i++) {
            streams.get(i).onNext(StreamingOutputCallRequest.newBuilder().addResponseParameters(size(314159)).build());
            streams.get(i).onCompleted();
        }
        for (ListenableFuture<SimpleResponse> unary : unaries) {
            assertEquals(314159, unary.get(60, TimeUnit.SECONDS).getPayload().getBody().size());
        }
        for (int i = 0; i < 8; i++) {
            assertEquals(314159, responses.get(i).next().getPayload().getBody().size());
            assertEquals(Status.Code.OK, responses.get(i).end().getCode(), "stream " + i + " was successful");
            assertEquals(List.of(), responses.get(i).rest());
        }

        assertOneSocketCarriedEverything();
    }

    private void assertOneSocketCarriedEverything() {
        assertEquals(1, sockets.made.size(), "one connection, one pipekit socket: " + sockets.made);
        assertInstanceOf(PipeSocket.class, sockets.made.get(0));
    }

    private TestServiceBlockingStub blocking() {
        return TestServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    private TestServiceStub async() {
        return TestServiceGrpc.newStub(channel);
    }
}
