package io.pipekit.it.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Attributes;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerTransportFilter;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.integration.EmptyProtos.Empty;
import io.grpc.testing.integration.Messages.Payload;
import io.grpc.testing.integration.Messages.SimpleRequest;
import io.grpc.testing.integration.Messages.SimpleResponse;
import io.grpc.testing.integration.Messages.StreamingOutputCallRequest;
import io.grpc.testing.integration.Messages.StreamingOutputCallResponse;
import io.grpc.testing.integration.TestServiceGrpc.TestServiceBlockingStub;
import io.grpc.testing.integration.TestServiceGrpc.TestServiceStub;
import io.grpc.testing.integration.TestServiceGrpc;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.channel.ServerChannel;
import io.pipekit.client.PipeSocketFactory;
import io.pipekit.core.PeerIdentity;
import io.pipekit.netty.NettyPipeAddress;
import io.pipekit.netty.PipeChannelOption;
import io.pipekit.netty.PipeNetty;
import io.pipekit.server.Admission;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * grpc-java's Netty server on pipe-netty's channels (issue 27): gRPC's interop cases, as grpc/grpc's
 * doc/interop-test-descriptions.md words them, from a client of the subclass's choosing, and what a
 * pipe server adds or must withstand: every call knows its caller from the pipe, the admission
 * keeps a refused client away from every service, garbage instead of HTTP/2 costs only its own
 * connection, and a client that never reads is held by the water marks. The OS's transport is
 * whatever {@link PipeNetty} picks; a subclass says which OS runs it and how its client connects.
 */
abstract class PipeNettyGrpcSpec implements GrpcInteropSpec {
    /** An address no other test uses. */
    protected abstract NettyPipeAddress newAddress();

    /** The client under test, connected to {@code address}. */
    protected abstract ManagedChannel newChannel(NettyPipeAddress address, EventLoopGroup loop);

    private final InteropTestService service = new InteropTestService();
    private final Queue<PeerIdentity> callers = new ConcurrentLinkedQueue<>();
    private final Queue<String> authorities = new ConcurrentLinkedQueue<>();
    private final List<AutoCloseable> cleanup = new CopyOnWriteArrayList<>();
    private NettyPipeAddress address;
    private EventLoopGroup loop;
    private Server server;
    private ManagedChannel channel;
    private GrpcInteropCases interop;

    @Override
    public GrpcInteropCases interop() {
        return interop;
    }

    @BeforeEach
    void startServerAndChannel() throws Exception {
        address = newAddress();
        loop = PipeNetty.eventLoopGroup(1); // one thread: the listener, its connections and the client
        ServerInterceptor recordAuthority = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                authorities.add(String.valueOf(call.getAuthority()));
                return next.startCall(call, headers);
            }
        };
        server = PipeNettyRecipes.server(address, loop, Admission.sameUser(), ServerInterceptors.intercept(service,
                new InteropMetadataEcho(), recordAuthority, PipeNettyRecipes.callerIdentity(callers::add)));
        channel = newChannel(address, loop);
        interop = new GrpcInteropCases(this::blocking, this::async);
    }

    @AfterEach
    void stopChannelAndServer() throws Exception {
        try {
            for (AutoCloseable resource : cleanup) {
                resource.close();
            }
            channel.shutdownNow();
            assertTrue(channel.awaitTermination(30, TimeUnit.SECONDS), "the channel stops");
            server.shutdownNow();
            assertTrue(server.awaitTermination(30, TimeUnit.SECONDS), "the server stops");
        } finally {
            loop.shutdownGracefully(0, 10, TimeUnit.SECONDS).sync();
        }
    }

    // --- the interop cases (GrpcInteropSpec), and what this transport adds to the first -------

    @Override
    @Test
    public void emptyUnary() {
        GrpcInteropSpec.super.emptyUnary();

        assertEquals(List.of("localhost"), List.copyOf(authorities), ":authority is the channel's, never the pipe's path");
    }

    // --- what a pipe server adds ---------------------------------------------------------

    /** An interceptor reads each caller from the call's remote address: this process, as the OS told the pipe. */
    @Test
    void everyCallKnowsItsCallerFromThePipe() throws Exception {
        blocking().emptyCall(Empty.getDefaultInstance());
        blocking().unaryCall(GrpcInteropCases.largeRequest());

        PeerIdentity self = PeerIdentity.currentProcess();
        assertEquals(2, callers.size(), "one caller per call");
        for (PeerIdentity caller : callers) {
            assertEquals(self.processId(), caller.processId(), "the caller is this process: " + caller);
            assertEquals(self.user(), caller.user(), "the caller is this process's user: " + caller);
        }
    }

    /** A client the admission refuses never reaches a service: its calls fail UNAVAILABLE, no interceptor sees them. */
    @Test
    void aClientTheAdmissionRefusesReachesNoService() throws Exception {
        NettyPipeAddress guarded = newAddress();
        AtomicInteger asked = new AtomicInteger();
        AtomicInteger calls = new AtomicInteger();
        ServerInterceptor countCalls = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                calls.incrementAndGet();
                return next.startCall(call, headers);
            }
        };
        Server refusing = PipeNettyRecipes.server(guarded, loop, client -> {
            asked.incrementAndGet();
            return false;
        }, ServerInterceptors.intercept(new InteropTestService(), countCalls));
        ManagedChannel refused = newChannel(guarded, loop);
        try {
            StatusRuntimeException failed = assertThrows(StatusRuntimeException.class,
                    () -> TestServiceGrpc.newBlockingStub(refused).withDeadlineAfter(60, TimeUnit.SECONDS).emptyCall(Empty.getDefaultInstance()));
            assertEquals(Status.Code.UNAVAILABLE, failed.getStatus().getCode(), failed.toString());
            assertTrue(asked.get() >= 1, "the admission was never asked");
            assertEquals(0, calls.get(), "a refused client's call reached the service");
            interop.emptyUnary(); // and the other server, admitting, goes on serving
        } finally {
            refused.shutdownNow().awaitTermination(30, TimeUnit.SECONDS);
            refusing.shutdownNow().awaitTermination(30, TimeUnit.SECONDS);
        }
    }

    /**
     * A client that sends garbage instead of HTTP/2's preface loses its own connection (the server
     * ends it after at most a GOAWAY), while a call already open on another connection goes on.
     */
    @Test
    void garbageInsteadOfTheHttp2PrefaceCostsOnlyItsOwnConnection() throws Exception {
        RecordingObserver<StreamingOutputCallResponse> responses = new RecordingObserver<>();
        StreamObserver<StreamingOutputCallRequest> requests = async().fullDuplexCall(responses);
        requests.onNext(StreamingOutputCallRequest.newBuilder().addResponseParameters(GrpcInteropCases.size(31415)).build());
        assertEquals(31415, responses.next().getPayload().getBody().size());

        try (Socket garbage = PipeSocketFactory.of(address.pipeAddress()).createSocket("localhost", 80)) {
            garbage.setSoTimeout(60_000); // a bound that fails a server that never ends the connection
            garbage.getOutputStream().write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".repeat(100).getBytes(StandardCharsets.US_ASCII));
            garbage.getOutputStream().flush();
            InputStream in = garbage.getInputStream();
            byte[] buffer = new byte[4096];
            try {
                while (in.read(buffer) >= 0) {
                    // a GOAWAY, maybe: then the end
                }
            } catch (IOException reset) {
                // ended without a goodbye: as good
            }
        }

        requests.onNext(StreamingOutputCallRequest.newBuilder().addResponseParameters(GrpcInteropCases.size(2653)).build());
        assertEquals(2653, responses.next().getPayload().getBody().size(), "the other connection's call went on");
        requests.onCompleted();
        assertEquals(Status.Code.OK, responses.end().getCode());
        interop.largeUnary(); // and new calls too
    }

    /**
     * A client that opens a stream with windows wide open and then never reads: the server's
     * connection turns unwritable at its water marks, and a service that honours {@code isReady}
     * stops producing, so what the server holds for it stays bounded by the socket's buffers and
     * the marks, not by how much the service would send.
     */
    @Test
    void aClientThatNeverReadsIsHeldByTheWaterMarks() throws Exception {
        NettyPipeAddress flooded = newAddress();
        Flood flood = new Flood();
        Queue<Channel> children = new ConcurrentLinkedQueue<>();
        Server server = NettyServerBuilder.forAddress(flooded)
                .channelFactory(() -> {
                    ServerChannel listener = new ReflectiveChannelFactory<>(PipeNetty.serverChannelType()).newChannel();
                    listener.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object child) {
                            children.add((Channel) child);
                            ctx.fireChannelRead(child);
                        }
                    });
                    return listener;
                })
                .bossEventLoopGroup(loop).workerEventLoopGroup(loop)
                .withOption(PipeChannelOption.ADMISSION, Admission.sameUser())
                // Kernel buffers smaller than one 64 KiB response (pipe-netty's default is 1 MiB; on
                // Unix these are the child's socket buffers): the pipe or socket fills and the
                // channel's water marks are what holds the service. With room for a whole response
                // in the kernel, gRPC's own queue bound held it first (produced 64 KiB, the channel
                // writable): held too, not by the marks.
                .withOption(PipeChannelOption.IN_BUFFER_SIZE, 4096).withOption(PipeChannelOption.OUT_BUFFER_SIZE, 4096)
                .addService(flood)
                .build().start();
        try (Socket client = PipeSocketFactory.of(flooded.pipeAddress()).createSocket("localhost", 80)) {
            OutputStream out = client.getOutputStream();
            out.write(Http2Frames.streamingOutputCallNeverReading());
            out.flush();
            // Never read from here on.

            assertTrue(flood.started.await(60, TimeUnit.SECONDS), "the call never reached the service");
            // Held: the connection unwritable, and the service no further on after the loop has gone
            // round several times (each round writes what the socket takes). The waits are bounds.
            Channel child = null;
            int stableChecks = 0;
            long held = -1;
            for (int tries = 0; tries < 3000 && stableChecks < 3; tries++) {
                child = children.peek();
                if (child == null) {
                    Thread.sleep(10);
                    continue;
                }
                long before = flood.produced.get();
                for (int round = 0; round < 20; round++) {
                    child.eventLoop().submit(() -> { }).sync();
                }
                Thread.sleep(10); // the service's executor gets its turn too
                boolean unchanged = flood.produced.get() == before;
                stableChecks = unchanged && !child.isWritable() ? stableChecks + 1 : 0;
                held = before;
            }
            assertNotNull(child, "no connection was accepted");
            assertEquals(3, stableChecks, "the server never held still: produced " + flood.produced.get() + " bytes, writable "
                    + child.isWritable());
            assertFalse(child.isWritable(), "unwritable while the client does not read");
            assertTrue(held < 16 * 1024 * 1024, "the server held " + held + " bytes for a client that never read");
            assertTrue(held > 0, "the service sent nothing at all");
        } finally {
            flood.stopped = true;
            server.shutdownNow();
            assertTrue(server.awaitTermination(30, TimeUnit.SECONDS));
        }
    }

    // --- scale and propagation (issue 27, stage 5) -----------------------------------------

    /**
     * 1,000 calls open at once on one connection: the server allows as many
     * ({@code maxConcurrentCallsPerConnection}), holds every call until all 1,000 have reached it,
     * then answers each with its own size; one transport carried them all.
     */
    @Test
    void aThousandConcurrentCallsShareOneConnection() throws Exception {
        int calls = 1000;
        Gathering gathering = new Gathering(calls);
        AtomicInteger transports = new AtomicInteger();
        NettyPipeAddress crowded = newAddress();
        Server crowd = scaleServer(crowded, gathering, transports, builder -> builder.maxConcurrentCallsPerConnection(calls));
        ManagedChannel one = newChannel(crowded, loop);
        cleanup.add(() -> stop(one, crowd));

        List<RecordingObserver<SimpleResponse>> responses = new ArrayList<>();
        TestServiceStub stub = TestServiceGrpc.newStub(one).withDeadlineAfter(120, TimeUnit.SECONDS);
        for (int i = 1; i <= calls; i++) {
            RecordingObserver<SimpleResponse> response = new RecordingObserver<>();
            responses.add(response);
            stub.unaryCall(SimpleRequest.newBuilder().setResponseSize(i).build(), response);
        }

        assertTrue(gathering.allArrived.await(60, TimeUnit.SECONDS),
                "only " + gathering.arrived() + " of " + calls + " calls were open on the server at once");
        for (int i = 1; i <= calls; i++) {
            assertEquals(i, responses.get(i - 1).next().getPayload().getBody().size(), "call " + i + " got its own answer");
            assertEquals(Status.Code.OK, responses.get(i - 1).end().getCode());
        }
        assertEquals(1, transports.get(), "one connection carried every call");
    }

    /** 100 connections at once, each with a call the server holds until all 100 are there; then every call is answered. */
    @Test
    void aHundredConnectionsAtOnce() throws Exception {
        int connections = 100;
        Gathering gathering = new Gathering(connections);
        AtomicInteger transports = new AtomicInteger();
        NettyPipeAddress busy = newAddress();
        Server many = scaleServer(busy, gathering, transports, builder -> builder);
        List<ManagedChannel> channels = new ArrayList<>();
        cleanup.add(() -> stop(channels, many));
        List<RecordingObserver<SimpleResponse>> responses = new ArrayList<>();
        for (int i = 1; i <= connections; i++) {
            ManagedChannel each = newChannel(busy, loop);
            channels.add(each);
            RecordingObserver<SimpleResponse> response = new RecordingObserver<>();
            responses.add(response);
            TestServiceGrpc.newStub(each).withDeadlineAfter(120, TimeUnit.SECONDS)
                    .unaryCall(SimpleRequest.newBuilder().setResponseSize(i).build(), response);
        }

        assertTrue(gathering.allArrived.await(60, TimeUnit.SECONDS),
                "only " + gathering.arrived() + " of " + connections + " connections' calls reached the server at once");
        assertEquals(connections, transports.get(), "one server transport per client connection");
        for (int i = 1; i <= connections; i++) {
            assertEquals(i, responses.get(i - 1).next().getPayload().getBody().size(), "connection " + i + " got its own answer");
            assertEquals(Status.Code.OK, responses.get(i - 1).end().getCode());
        }
    }

    /**
     * A 10 MB message each way, checked by content: the server gets exactly the client's random
     * bytes (their SHA-256) and the client exactly the server's. Both ends raise
     * {@code maxInboundMessageSize}; with the client's default (4 MiB) the same answer is refused.
     */
    @Test
    void tenMegabyteMessagesEachWayArriveIntact() throws Exception {
        int size = 10 * 1000 * 1000;
        Digesting digesting = new Digesting();
        NettyPipeAddress big = newAddress();
        Server server = scaleServer(big, digesting, new AtomicInteger(), builder -> builder.maxInboundMessageSize(16 * 1024 * 1024));
        ManagedChannel client = newChannel(big, loop);
        cleanup.add(() -> stop(client, server));
        byte[] sent = new byte[size];
        new Random(27).nextBytes(sent);
        SimpleRequest request = SimpleRequest.newBuilder().setResponseSize(size)
                .setPayload(Payload.newBuilder().setBody(ByteString.copyFrom(sent))).build();
        TestServiceBlockingStub stub = TestServiceGrpc.newBlockingStub(client).withDeadlineAfter(60, TimeUnit.SECONDS);

        SimpleResponse response = stub.withMaxInboundMessageSize(16 * 1024 * 1024).unaryCall(request);

        assertEquals(sha256(sent), digesting.received.poll(60, TimeUnit.SECONDS), "the server got the client's 10 MB, byte for byte");
        assertEquals(size, response.getPayload().getBody().size());
        assertEquals(sha256(Digesting.answer(size)), sha256(response.getPayload().getBody().toByteArray()),
                "the client got the server's 10 MB, byte for byte");
        StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> stub.unaryCall(request));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getStatus().getCode(), "the client's default limit refuses 10 MB: " + refused);
    }

    /**
     * A client's deadline reaches the server's {@code Context} (gRPC sends it as grpc-timeout),
     * and when it passes, the call the server holds open is cancelled there, while the client
     * sees DEADLINE_EXCEEDED. Deadlines double until one outlasts the call's way to the server.
     */
    @Test
    void aClientDeadlineCancelsTheCallOnTheServer() throws Exception {
        Holding holding = new Holding();
        NettyPipeAddress held = newAddress();
        Server server = scaleServer(held, holding, new AtomicInteger(), builder -> builder);
        ManagedChannel client = newChannel(held, loop);
        cleanup.add(() -> stop(client, server));
        RecordingObserver<StreamingOutputCallResponse> first = new RecordingObserver<>();
        StreamObserver<StreamingOutputCallRequest> warm = TestServiceGrpc.newStub(client).fullDuplexCall(first);
        warm.onNext(StreamingOutputCallRequest.getDefaultInstance());
        first.next();
        warm.onCompleted();
        assertEquals(Status.Code.OK, first.end().getCode());
        assertNotNull(holding.calls.poll(60, TimeUnit.SECONDS)); // a first call: the connection is up, the deadline is all the next call's
        for (long millis = 500; ; millis *= 2) {
            RecordingObserver<StreamingOutputCallResponse> responses = new RecordingObserver<>();
            StreamObserver<StreamingOutputCallRequest> requests = TestServiceGrpc.newStub(client)
                    .withDeadlineAfter(millis, TimeUnit.MILLISECONDS).fullDuplexCall(responses);
            requests.onNext(StreamingOutputCallRequest.getDefaultInstance());

            assertEquals(Status.Code.DEADLINE_EXCEEDED, responses.end().getCode(), "the client's call ends DEADLINE_EXCEEDED");
            HeldCall call = holding.calls.poll();
            if (call == null) {
                assertTrue(millis < 60_000, "no call reached the server before its deadline");
                continue; // the deadline passed before the call reached the service: a longer one
            }
            assertNotNull(call.deadline, "the server's Context has the client's deadline");
            assertTrue(call.deadline.timeRemaining(TimeUnit.MILLISECONDS) <= millis, "the server's deadline is no later than the client's");
            assertTrue(call.cancelled.await(60, TimeUnit.SECONDS), "the server's call was never cancelled");
            assertTrue(call.context.isCancelled(), "the server's Context is cancelled");
            return;
        }
    }

    /** A client's cancel reaches the server: the call's {@code Context} is cancelled and its cancel handler runs. */
    @Test
    void aClientCancelReachesTheServersContext() throws Exception {
        Holding holding = new Holding();
        NettyPipeAddress held = newAddress();
        Server server = scaleServer(held, holding, new AtomicInteger(), builder -> builder);
        ManagedChannel client = newChannel(held, loop);
        cleanup.add(() -> stop(client, server));
        RecordingObserver<StreamingOutputCallResponse> responses = new RecordingObserver<>();
        ClientCallStreamObserver<StreamingOutputCallRequest> requests = (ClientCallStreamObserver<StreamingOutputCallRequest>)
                TestServiceGrpc.newStub(client).fullDuplexCall(responses);
        requests.onNext(StreamingOutputCallRequest.getDefaultInstance());
        responses.next(); // the server holds the call: it answered once
        HeldCall call = holding.calls.poll(60, TimeUnit.SECONDS);
        assertNotNull(call, "the call reached the server");
        assertFalse(call.context.isCancelled(), "not cancelled before the client cancels");

        requests.cancel("the client gives up", null);

        assertEquals(Status.Code.CANCELLED, responses.end().getCode(), "the client's call ends CANCELLED");
        assertTrue(call.cancelled.await(60, TimeUnit.SECONDS), "the server never saw the cancel");
        assertTrue(call.context.isCancelled(), "the server's Context is cancelled");
        assertTrue(call.cancelHandlerRan.await(60, TimeUnit.SECONDS), "the server's cancel handler never ran");
    }

    /**
     * The server ends a call the client still streams on: ABORTED, with its message, reaches the
     * client after the response sent before it; and a server that cancels its call's
     * {@code Context} ends the client's call CANCELLED.
     */
    @Test
    void aServerAbortOrCancelReachesTheClient() throws Exception {
        Holding holding = new Holding();
        NettyPipeAddress held = newAddress();
        Server server = scaleServer(held, holding, new AtomicInteger(), builder -> builder);
        ManagedChannel client = newChannel(held, loop);
        cleanup.add(() -> stop(client, server));

        RecordingObserver<StreamingOutputCallResponse> aborted = new RecordingObserver<>();
        StreamObserver<StreamingOutputCallRequest> requests = TestServiceGrpc.newStub(client).fullDuplexCall(aborted);
        requests.onNext(StreamingOutputCallRequest.getDefaultInstance());
        aborted.next();
        HeldCall call = holding.calls.poll(60, TimeUnit.SECONDS);
        assertNotNull(call, "the call reached the server");
        call.responses.onError(Status.ABORTED.withDescription("the server gives up").asRuntimeException());
        Status status = aborted.end();
        assertEquals(Status.Code.ABORTED, status.getCode(), status.toString());
        assertEquals("the server gives up", status.getDescription());

        RecordingObserver<StreamingOutputCallResponse> cancelled = new RecordingObserver<>();
        TestServiceGrpc.newStub(client).fullDuplexCall(cancelled).onNext(StreamingOutputCallRequest.getDefaultInstance());
        cancelled.next();
        HeldCall second = holding.calls.poll(60, TimeUnit.SECONDS);
        assertNotNull(second, "the second call reached the server");
        second.cancellable.cancel(new IllegalStateException("the server's own reason"));
        assertEquals(Status.Code.CANCELLED, cancelled.end().getCode(), "the server's cancel ends the client's call CANCELLED");
        assertTrue(second.cancelled.await(60, TimeUnit.SECONDS));
    }

    /** A server on {@code address} for a scale test: this spec's loop and admission, a count of transports, and the test's settings. */
    private Server scaleServer(NettyPipeAddress address, TestServiceGrpc.TestServiceImplBase service, AtomicInteger transports,
            UnaryOperator<NettyServerBuilder> settings) throws IOException {
        NettyServerBuilder builder = NettyServerBuilder.forAddress(address)
                .channelType(PipeNetty.serverChannelType())
                .bossEventLoopGroup(loop).workerEventLoopGroup(loop)
                .withOption(PipeChannelOption.ADMISSION, Admission.sameUser())
                .addTransportFilter(new ServerTransportFilter() {
                    @Override
                    public Attributes transportReady(Attributes attributes) {
                        transports.incrementAndGet();
                        return attributes;
                    }
                })
                .addService(service);
        return settings.apply(builder).build().start();
    }

    private static void stop(ManagedChannel client, Server server) throws InterruptedException {
        stop(List.of(client), server);
    }

    private static void stop(List<ManagedChannel> clients, Server server) throws InterruptedException {
        for (ManagedChannel client : clients) {
            client.shutdownNow();
        }
        for (ManagedChannel client : clients) {
            assertTrue(client.awaitTermination(30, TimeUnit.SECONDS), "a channel stops");
        }
        server.shutdownNow();
        assertTrue(server.awaitTermination(30, TimeUnit.SECONDS), "the server stops");
    }

    private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** UnaryCall held until {@code expected} calls are open at once; then each is answered with its {@code response_size}. */
    private static final class Gathering extends TestServiceGrpc.TestServiceImplBase {
        final CountDownLatch allArrived = new CountDownLatch(1);
        private final int expected;
        private final List<Map.Entry<SimpleRequest, StreamObserver<SimpleResponse>>> open = new ArrayList<>();

        Gathering(int expected) {
            this.expected = expected;
        }

        synchronized int arrived() {
            return open.size();
        }

        @Override
        public void unaryCall(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
            List<Map.Entry<SimpleRequest, StreamObserver<SimpleResponse>>> all;
            synchronized (this) {
                open.add(Map.entry(request, responses));
                if (open.size() < expected) {
                    return;
                }
                all = List.copyOf(open);
            }
            allArrived.countDown();
            for (Map.Entry<SimpleRequest, StreamObserver<SimpleResponse>> call : all) {
                call.getValue().onNext(SimpleResponse.newBuilder().setPayload(GrpcInteropCases.zeros(call.getKey().getResponseSize())).build());
                call.getValue().onCompleted();
            }
        }
    }

    /** UnaryCall that records the SHA-256 of each request's payload and answers {@link #answer} of the asked size. */
    private static final class Digesting extends TestServiceGrpc.TestServiceImplBase {
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();

        static byte[] answer(int size) {
            byte[] bytes = new byte[size];
            new Random(31).nextBytes(bytes);
            return bytes;
        }

        @Override
        public void unaryCall(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
            try {
                received.add(sha256(request.getPayload().getBody().toByteArray()));
            } catch (NoSuchAlgorithmException e) {
                responses.onError(e);
                return;
            }
            responses.onNext(SimpleResponse.newBuilder()
                    .setPayload(Payload.newBuilder().setBody(ByteString.copyFrom(answer(request.getResponseSize())))).build());
            responses.onCompleted();
        }
    }

    /** A FullDuplexCall the server answers once and then holds open, recording its Context and how it ends. */
    private static final class HeldCall {
        final Context.CancellableContext cancellable;
        final Context context;
        final Deadline deadline;
        final ServerCallStreamObserver<StreamingOutputCallResponse> responses;
        final CountDownLatch cancelled = new CountDownLatch(1);
        final CountDownLatch cancelHandlerRan = new CountDownLatch(1);

        HeldCall(Context.CancellableContext cancellable, Context context, ServerCallStreamObserver<StreamingOutputCallResponse> responses) {
            this.cancellable = cancellable;
            this.context = context;
            this.deadline = context.getDeadline();
            this.responses = responses;
        }
    }

    /**
     * FullDuplexCall: the first request is answered once, then the call is held (handed to the
     * test in {@link #calls}). Each call runs in a cancellable child of its Context, so that a test
     * can also cancel it from the server's side.
     */
    private static final class Holding extends TestServiceGrpc.TestServiceImplBase {
        final BlockingQueue<HeldCall> calls = new LinkedBlockingQueue<>();

        @Override
        public StreamObserver<StreamingOutputCallRequest> fullDuplexCall(StreamObserver<StreamingOutputCallResponse> responses) {
            ServerCallStreamObserver<StreamingOutputCallResponse> out = (ServerCallStreamObserver<StreamingOutputCallResponse>) responses;
            Context context = Context.current();
            Context.CancellableContext cancellable = context.withCancellation();
            HeldCall call = new HeldCall(cancellable, context, out);
            out.setOnCancelHandler(call.cancelHandlerRan::countDown);
            context.addListener(ended -> call.cancelled.countDown(), Runnable::run);
            cancellable.addListener(ended -> {
                if (!context.isCancelled()) { // the server's own cancel: end the call as cancelled
                    out.onError(Status.CANCELLED.withDescription("cancelled by the server").withCause(ended.cancellationCause()).asRuntimeException());
                }
                call.cancelled.countDown();
            }, Runnable::run);
            return new StreamObserver<>() {
                private boolean answered;

                @Override
                public void onNext(StreamingOutputCallRequest request) {
                    if (!answered) {
                        answered = true;
                        out.onNext(StreamingOutputCallResponse.getDefaultInstance());
                        calls.add(call);
                    }
                }

                @Override
                public void onError(Throwable t) {
                    // cancelled: the listeners above record it
                }

                @Override
                public void onCompleted() {
                    out.onCompleted();
                }
            };
        }
    }

    /** A server-streaming method that sends 64 KiB messages for as long as its call is ready: a flood held only by backpressure. */
    private static final class Flood extends TestServiceGrpc.TestServiceImplBase {
        final AtomicLong produced = new AtomicLong();
        final CountDownLatch started = new CountDownLatch(1);
        volatile boolean stopped;

        @Override
        public void streamingOutputCall(StreamingOutputCallRequest request, StreamObserver<StreamingOutputCallResponse> responses) {
            ServerCallStreamObserver<StreamingOutputCallResponse> out = (ServerCallStreamObserver<StreamingOutputCallResponse>) responses;
            StreamingOutputCallResponse chunk = StreamingOutputCallResponse.newBuilder().setPayload(GrpcInteropCases.zeros(64 * 1024)).build();
            out.setOnCancelHandler(() -> stopped = true);
            out.setOnReadyHandler(() -> {
                while (out.isReady() && !stopped) {
                    out.onNext(chunk);
                    produced.addAndGet(64 * 1024);
                }
            });
            started.countDown();
        }
    }

    /** The bytes of an HTTP/2 client that opens every window wide and asks for a server stream, written by hand. */
    static final class Http2Frames {
        private Http2Frames() {
        }

        static byte[] streamingOutputCallNeverReading() throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            frame(out, 0x4, 0, 0, new byte[] {0, 0x4, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff}); // SETTINGS INITIAL_WINDOW_SIZE 2^31-1
            int increment = Integer.MAX_VALUE - 65535; // the connection's window, wide open too
            frame(out, 0x8, 0, 0, new byte[] {(byte) (increment >>> 24), (byte) (increment >>> 16), (byte) (increment >>> 8), (byte) increment});
            ByteArrayOutputStream headers = new ByteArrayOutputStream();
            literal(headers, ":method", "POST");
            literal(headers, ":scheme", "http");
            literal(headers, ":path", "/grpc.testing.TestService/StreamingOutputCall");
            literal(headers, ":authority", "localhost");
            literal(headers, "content-type", "application/grpc");
            literal(headers, "te", "trailers");
            frame(out, 0x1, 0x4, 1, headers.toByteArray()); // HEADERS, END_HEADERS, stream 1
            frame(out, 0x0, 0x1, 1, new byte[5]); // DATA, END_STREAM: one empty gRPC message
            return out.toByteArray();
        }

        /** HPACK: a literal header field without indexing, new name, no Huffman coding (every length here is below 127). */
        private static void literal(ByteArrayOutputStream out, String name, String value) {
            out.write(0);
            for (String s : new String[] {name, value}) {
                byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
                out.write(bytes.length);
                out.writeBytes(bytes);
            }
        }

        private static void frame(ByteArrayOutputStream out, int type, int flags, int stream, byte[] payload) {
            out.write(payload.length >>> 16);
            out.write(payload.length >>> 8);
            out.write(payload.length);
            out.write(type);
            out.write(flags);
            out.write(stream >>> 24);
            out.write(stream >>> 16);
            out.write(stream >>> 8);
            out.write(stream);
            out.writeBytes(payload);
        }
    }

    private TestServiceBlockingStub blocking() {
        return TestServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    private TestServiceStub async() {
        return TestServiceGrpc.newStub(channel);
    }
}
