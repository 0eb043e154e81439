package io.pipekit.it.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
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
import io.grpc.testing.integration.TestServiceGrpc.TestServiceBlockingStub;
import io.grpc.testing.integration.TestServiceGrpc.TestServiceStub;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;

/**
 * The gRPC interop cases of grpc/grpc's doc/interop-test-descriptions.md, each a client's
 * procedure and assertions as that document words them, against whichever interop
 * {@code TestService} the stubs reach: one place for the cases that {@link GrpcOverUnixSocketTest}
 * and {@link GoGrpcPeerTest} both run. What else a test asserts (one socket, the authority) stays
 * with the test.
 */
final class GrpcInteropCases {
    private final Supplier<TestServiceBlockingStub> blocking;
    private final Supplier<TestServiceStub> async;

    /** Each call takes a new stub from {@code blocking} or {@code async}, so that a deadline on it starts with the call. */
    GrpcInteropCases(Supplier<TestServiceBlockingStub> blocking, Supplier<TestServiceStub> async) {
        this.blocking = blocking;
        this.async = async;
    }

    /** empty_unary: EmptyCall with an empty request. */
    void emptyUnary() {
        Empty response = blocking.get().emptyCall(Empty.getDefaultInstance());

        assertNotNull(response, "response is non-null");
    }

    /** large_unary: UnaryCall asking for 314159 bytes, sending 271828 bytes of zeros. */
    void largeUnary() {
        SimpleResponse response = blocking.get().unaryCall(largeRequest());

        assertEquals(314159, response.getPayload().getBody().size(), "response payload body is 314159 bytes in size");
        assertAllZeros(response.getPayload());
    }

    /** client_streaming: StreamingInputCall sending 27182, 8, 1828 and 45904 bytes of zeros, then half-close. */
    void clientStreaming() throws Exception {
        RecordingObserver<StreamingInputCallResponse> response = new RecordingObserver<>();
        StreamObserver<StreamingInputCallRequest> requests = async.get().streamingInputCall(response);
        for (int size : new int[] {27182, 8, 1828, 45904}) {
            requests.onNext(StreamingInputCallRequest.newBuilder().setPayload(zeros(size)).build());
        }
        requests.onCompleted();

        assertEquals(74922, response.next().getAggregatedPayloadSize(), "response aggregated_payload_size is 74922");
        assertEquals(Status.Code.OK, response.end().getCode(), "call was successful");
    }

    /** server_streaming: StreamingOutputCall asking for responses of 31415, 9, 2653 and 58979 bytes. */
    void serverStreaming() {
        StreamingOutputCallRequest request = StreamingOutputCallRequest.newBuilder()
                .addResponseParameters(size(31415)).addResponseParameters(size(9))
                .addResponseParameters(size(2653)).addResponseParameters(size(58979))
                .build();

        List<Integer> sizes = new ArrayList<>();
        Iterator<StreamingOutputCallResponse> responses = blocking.get().streamingOutputCall(request);
        while (responses.hasNext()) { // an error status would throw here: call was successful
            StreamingOutputCallResponse response = responses.next();
            assertAllZeros(response.getPayload());
            sizes.add(response.getPayload().getBody().size());
        }

        assertEquals(List.of(31415, 9, 2653, 58979), sizes,
                "exactly four responses; response payload bodies are sized (in order): 31415, 9, 2653, 58979");
    }

    /**
     * ping_pong: FullDuplexCall, each request (asking 31415, 9, 2653, 58979 bytes; sending 27182,
     * 8, 1828, 45904) sent after the reply to the one before, then half-close.
     */
    void pingPong() throws Exception {
        int[][] steps = {{31415, 27182}, {9, 8}, {2653, 1828}, {58979, 45904}}; // response size, request payload
        RecordingObserver<StreamingOutputCallResponse> responses = new RecordingObserver<>();
        StreamObserver<StreamingOutputCallRequest> requests = async.get().fullDuplexCall(responses);

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

    /** status_code_and_message: UnaryCall, then FullDuplexCall and half-close, each asking for status 2, "test status message". */
    void statusCodeAndMessage() throws Exception {
        EchoStatus echo = EchoStatus.newBuilder().setCode(2).setMessage("test status message").build();

        // 1. UnaryCall
        StatusRuntimeException unary = assertThrows(StatusRuntimeException.class,
                () -> blocking.get().unaryCall(SimpleRequest.newBuilder().setResponseStatus(echo).build()));
        // 2. FullDuplexCall, then half-close
        RecordingObserver<StreamingOutputCallResponse> responses = new RecordingObserver<>();
        StreamObserver<StreamingOutputCallRequest> requests = async.get().fullDuplexCall(responses);
        requests.onNext(StreamingOutputCallRequest.newBuilder().setResponseStatus(echo).build());
        requests.onCompleted();
        Status duplex = responses.end();

        for (Status received : List.of(unary.getStatus(), duplex)) {
            assertEquals(2, received.getCode().value(), "received status code is the same as the sent code");
            assertEquals("test status message", received.getDescription(), "received status message is the same as the sent message");
        }
    }

    /** large_unary's request: 314159 bytes asked for, 271828 bytes of zeros sent. */
    static SimpleRequest largeRequest() {
        return SimpleRequest.newBuilder().setResponseSize(314159).setPayload(zeros(271828)).build();
    }

    static ResponseParameters size(int size) {
        return ResponseParameters.newBuilder().setSize(size).build();
    }

    static Payload zeros(int size) {
        return Payload.newBuilder().setBody(ByteString.copyFrom(new byte[size])).build();
    }

    private static void assertAllZeros(Payload payload) {
        assertEquals(ByteString.copyFrom(new byte[payload.getBody().size()]), payload.getBody(), "the payload body's contents are zeros");
    }
}
