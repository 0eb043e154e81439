package io.pipekit.it.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.grpc.testing.integration.EmptyProtos.Empty;
import io.grpc.testing.integration.Messages.EchoStatus;
import io.grpc.testing.integration.Messages.Payload;
import io.grpc.testing.integration.Messages.ResponseParameters;
import io.grpc.testing.integration.Messages.SimpleRequest;
import io.grpc.testing.integration.Messages.SimpleResponse;
import io.grpc.testing.integration.Messages.StreamingInputCallRequest;
import io.grpc.testing.integration.Messages.StreamingInputCallResponse;
import io.grpc.testing.integration.Messages.StreamingOutputCallRequest;
import io.grpc.testing.integration.Messages.StreamingOutputCallResponse;
import io.grpc.testing.integration.TestServiceGrpc;
import io.grpc.testing.integration.TestServiceGrpc.TestServiceBlockingStub;
import io.grpc.testing.integration.TestServiceGrpc.TestServiceStub;
import io.pipekit.client.PipeSocket;
import io.pipekit.client.PipeSocketFactory;
import io.pipekit.testing.WindowsOnly;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A grpc-java client on its OkHttp transport, over {@link PipeSocketFactory} as docs/sockets.md's
 * gRPC recipe sets it up ({@link GrpcRecipes#channel}), calls grpc-go's interop {@code TestService}
 * ({@code google.golang.org/grpc/interop}) listening through go-winio's {@code ListenPipe}
 * ({@link GoPeer}): client and server from two gRPC implementations, neither written here, over a
 * Windows named pipe. The cases are those of grpc/grpc's doc/interop-test-descriptions.md, asserted
 * as it words them, and every call of a test shares the channel's one pipe connection.
 *
 * <p>The {@code @Timeout}s only stop a hang from holding up the suite; nothing here is timed.
 */
@WindowsOnly
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class GoGrpcPeerTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private GoPeer server;
    private CountingSocketFactory sockets;
    private ManagedChannel channel;

    @BeforeEach
    void startGoServerAndChannel() throws Exception {
        server = GoPeer.grpc(dir);
        sockets = new CountingSocketFactory(PipeSocketFactory.of(server.pipeName).withConnectTimeout(PATIENCE));
        channel = GrpcRecipes.channel(sockets);
    }

    @AfterEach
    void stopChannelAndGoServer() throws Exception {
        try {
            channel.shutdownNow();
            assertTrue(channel.awaitTermination(30, TimeUnit.SECONDS), "the channel stops");
            for (Socket socket : sockets.made) {
                assertTrue(socket.isClosed(), "the channel closed its socket: " + socket);
            }
        } finally {
            server.close();
        }
    }

    @Test
    void emptyUnary() {
        Empty response = blocking().emptyCall(Empty.getDefaultInstance());

        assertNotNull(response, "response is non-null");
        assertOneSocketCarriedEverything();
    }

    @Test
    void largeUnary() {
        SimpleResponse response = blocking().unaryCall(largeRequest());

        assertEquals(314159, response.getPayload().getBody().size(), "response payload body is 314159 bytes in size");
        assertAllZeros(response.getPayload());
        assertOneSocketCarriedEverything();
    }

    @Test
    void clientStreaming() throws Exception {
        RecordingObserver<StreamingInputCallResponse> response = new RecordingObserver<>();
        StreamObserver<StreamingInputCallRequest> requests = async().streamingInputCall(response);
        for (int size : new int[] {27182, 8, 1828, 45904}) {
            requests.onNext(StreamingInputCallRequest.newBuilder().setPayload(zeros(size)).build());
        }
        requests.onCompleted();

        assertEquals(74922, response.next().getAggregatedPayloadSize(), "response aggregated_payload_size is 74922");
        assertEquals(Status.Code.OK, response.end().getCode(), "call was successful");
    }

    @Test
    void serverStreaming() {
        StreamingOutputCallRequest request = StreamingOutputCallRequest.newBuilder()
                .addResponseParameters(size(31415)).addResponseParameters(size(9))
                .addResponseParameters(size(2653)).addResponseParameters(size(58979))
                .build();

        List<Integer> sizes = new ArrayList<>();
        Iterator<StreamingOutputCallResponse> responses = blocking().streamingOutputCall(request);
        while (responses.hasNext()) { // an error status would throw here: call was successful
            StreamingOutputCallResponse response = responses.next();
            assertAllZeros(response.getPayload());
            sizes.add(response.getPayload().getBody().size());
        }

        assertEquals(List.of(31415, 9, 2653, 58979), sizes,
                "exactly four responses; response payload bodies are sized (in order): 31415, 9, 2653, 58979");
        assertOneSocketCarriedEverything();
    }

    @Test
    void pingPong() throws Exception {
        int[][] steps = {{31415, 27182}, {9, 8}, {2653, 1828}, {58979, 45904}}; // response size, request payload
        RecordingObserver<StreamingOutputCallResponse> responses = new RecordingObserver<>();
        StreamObserver<StreamingOutputCallRequest> requests = async().fullDuplexCall(responses);

        List<Integer> sizes = new ArrayList<>();
        for (int[] step : steps) {
            requests.onNext(StreamingOutputCallRequest.newBuilder()
                    .addResponseParameters(size(step[0])).setPayload(zeros(step[1])).build());
            sizes.add(responses.next().getPayload().getBody().size()); // "after getting a reply"
        }
        requests.onCompleted();

        assertEquals(Status.Code.OK, responses.end().getCode(), "call was successful");
        assertEquals(List.of(), responses.rest(), "exactly four responses");
        assertEquals(List.of(31415, 9, 2653, 58979), sizes, "response payload bodies are sized (in order): 31415, 9, 2653, 58979");
    }

    @Test
    void statusCodeAndMessage() throws Exception {
        EchoStatus echo = EchoStatus.newBuilder().setCode(2).setMessage("test status message").build();

        // 1. UnaryCall
        StatusRuntimeException unary = assertThrows(StatusRuntimeException.class,
                () -> blocking().unaryCall(SimpleRequest.newBuilder().setResponseStatus(echo).build()));
        // 2. FullDuplexCall, then half-close
        RecordingObserver<StreamingOutputCallResponse> responses = new RecordingObserver<>();
        StreamObserver<StreamingOutputCallRequest> requests = async().fullDuplexCall(responses);
        requests.onNext(StreamingOutputCallRequest.newBuilder().setResponseStatus(echo).build());
        requests.onCompleted();
        Status duplex = responses.end();

        for (Status received : List.of(unary.getStatus(), duplex)) {
            assertEquals(2, received.getCode().value(), "received status code is the same as the sent code");
            assertEquals("test status message", received.getDescription(), "received status message is the same as the sent message");
        }
        assertOneSocketCarriedEverything();
    }

    private void assertOneSocketCarriedEverything() {
        assertEquals(1, sockets.made.size(), "one connection, one pipekit socket: " + sockets.made);
        assertInstanceOf(PipeSocket.class, sockets.made.get(0));
    }

    private TestServiceBlockingStub blocking() {
        return TestServiceGrpc.newBlockingStub(channel).withDeadlineAfter(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }

    private TestServiceStub async() {
        return TestServiceGrpc.newStub(channel).withDeadlineAfter(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }

    private static SimpleRequest largeRequest() {
        return SimpleRequest.newBuilder().setResponseSize(314159).setPayload(zeros(271828)).build();
    }

    private static ResponseParameters size(int size) {
        return ResponseParameters.newBuilder().setSize(size).build();
    }

    private static Payload zeros(int size) {
        return Payload.newBuilder().setBody(ByteString.copyFrom(new byte[size])).build();
    }

    private static void assertAllZeros(Payload payload) {
        assertEquals(ByteString.copyFrom(new byte[payload.getBody().size()]), payload.getBody(), "the payload body's contents are zeros");
    }
}
