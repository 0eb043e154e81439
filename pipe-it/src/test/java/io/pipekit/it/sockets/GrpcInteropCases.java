package io.pipekit.it.sockets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.MetadataUtils;
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
import io.grpc.testing.integration.UnimplementedServiceGrpc;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The gRPC interop cases of grpc/grpc's doc/interop-test-descriptions.md, each a client's
 * procedure and assertions as that document words them, against whichever interop
 * {@code TestService} the stubs reach: one place for the cases that {@link GrpcOverUnixSocketTest}
 * and {@link GoGrpcPeerTest} both run, and the gRPC-over-pipe-netty specs run all of. What else a
 * test asserts (one socket, the authority) stays with the test.
 */
final class GrpcInteropCases {
    static final Metadata.Key<String> ECHO_INITIAL = InteropMetadataEcho.ECHO_INITIAL;
    static final Metadata.Key<byte[]> ECHO_TRAILING = InteropMetadataEcho.ECHO_TRAILING;
    private static final byte[] TRAILING_VALUE = {(byte) 0xab, (byte) 0xab, (byte) 0xab};
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

    /** empty_stream: FullDuplexCall, half-closed at once. */
    void emptyStream() throws Exception {
        RecordingObserver<StreamingOutputCallResponse> responses = new RecordingObserver<>();
        StreamObserver<StreamingOutputCallRequest> requests = async.get().fullDuplexCall(responses);
        requests.onCompleted();

        assertEquals(Status.Code.OK, responses.end().getCode(), "call was successful");
        assertEquals(List.of(), responses.rest(), "exactly zero responses");
    }

    /** cancel_after_begin: StreamingInputCall, cancelled before any request is sent. */
    void cancelAfterBegin() throws Exception {
        RecordingObserver<StreamingInputCallResponse> response = new RecordingObserver<>();
        ClientCallStreamObserver<StreamingInputCallRequest> requests =
                (ClientCallStreamObserver<StreamingInputCallRequest>) async.get().streamingInputCall(response);
        requests.cancel("cancel_after_begin", null);

        assertEquals(Status.Code.CANCELLED, response.end().getCode(), "call was cancelled");
    }

    /** cancel_after_first_response: FullDuplexCall {31415 / 27182}, cancelled after the first response. */
    void cancelAfterFirstResponse() throws Exception {
        RecordingObserver<StreamingOutputCallResponse> responses = new RecordingObserver<>();
        ClientCallStreamObserver<StreamingOutputCallRequest> requests =
                (ClientCallStreamObserver<StreamingOutputCallRequest>) async.get().fullDuplexCall(responses);
        requests.onNext(StreamingOutputCallRequest.newBuilder().addResponseParameters(size(31415)).setPayload(zeros(27182)).build());
        assertEquals(31415, responses.next().getPayload().getBody().size());
        requests.cancel("cancel_after_first_response", null);

        assertEquals(Status.Code.CANCELLED, responses.end().getCode(), "call was cancelled");
    }

    /** timeout_on_sleeping_server: FullDuplexCall with a 1 ms deadline, 27182 bytes of zeros sent; the client waits. */
    void timeoutOnSleepingServer() throws Exception {
        RecordingObserver<StreamingOutputCallResponse> responses = new RecordingObserver<>();
        StreamObserver<StreamingOutputCallRequest> requests = async.get().withDeadlineAfter(1, TimeUnit.MILLISECONDS).fullDuplexCall(responses);
        requests.onNext(StreamingOutputCallRequest.newBuilder().setPayload(zeros(27182)).build());
        // The client waits.

        assertEquals(Status.Code.DEADLINE_EXCEEDED, responses.end().getCode(), "Call completed with status DEADLINE_EXCEEDED");
    }

    /**
     * custom_metadata: UnaryCall (large_unary's request), then FullDuplexCall {314159 / 271828} and
     * half-close, each with x-grpc-test-echo-initial and x-grpc-test-echo-trailing-bin.
     */
    void customMetadata() throws Exception {
        Metadata sent = new Metadata();
        sent.put(ECHO_INITIAL, "test_initial_metadata_value");
        sent.put(ECHO_TRAILING, TRAILING_VALUE);

        // 1. UnaryCall
        AtomicReference<Metadata> unaryHeaders = new AtomicReference<>();
        AtomicReference<Metadata> unaryTrailers = new AtomicReference<>();
        SimpleResponse unary = blocking.get().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(sent),
                MetadataUtils.newCaptureMetadataInterceptor(unaryHeaders, unaryTrailers)).unaryCall(largeRequest());
        assertEquals(314159, unary.getPayload().getBody().size(), "call was successful");

        // 2. FullDuplexCall, then half-close
        AtomicReference<Metadata> duplexHeaders = new AtomicReference<>();
        AtomicReference<Metadata> duplexTrailers = new AtomicReference<>();
        RecordingObserver<StreamingOutputCallResponse> responses = new RecordingObserver<>();
        StreamObserver<StreamingOutputCallRequest> requests = async.get().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(sent),
                MetadataUtils.newCaptureMetadataInterceptor(duplexHeaders, duplexTrailers)).fullDuplexCall(responses);
        requests.onNext(StreamingOutputCallRequest.newBuilder().addResponseParameters(size(314159)).setPayload(zeros(271828)).build());
        requests.onCompleted();
        assertEquals(314159, responses.next().getPayload().getBody().size());
        assertEquals(Status.Code.OK, responses.end().getCode(), "call was successful");

        for (Metadata headers : List.of(unaryHeaders.get(), duplexHeaders.get())) {
            assertEquals("test_initial_metadata_value", headers.get(ECHO_INITIAL),
                    "metadata with key \"x-grpc-test-echo-initial\" and value \"test_initial_metadata_value\" is received in the initial metadata");
        }
        for (Metadata trailers : List.of(unaryTrailers.get(), duplexTrailers.get())) {
            assertArrayEquals(TRAILING_VALUE, trailers.get(ECHO_TRAILING),
                    "metadata with key \"x-grpc-test-echo-trailing-bin\" and value 0xababab is received in the trailing metadata");
        }
    }

    /** special_status_message: UnaryCall asking for status 2 with whitespace, BMP and non-BMP characters. */
    void specialStatusMessage() {
        String message = "\t\ntest with whitespace\r\nand Unicode BMP \u263A and non-BMP \uD83D\uDE08\t\n";
        EchoStatus echo = EchoStatus.newBuilder().setCode(2).setMessage(message).build();

        StatusRuntimeException failed = assertThrows(StatusRuntimeException.class,
                () -> blocking.get().unaryCall(SimpleRequest.newBuilder().setResponseStatus(echo).build()));

        assertEquals(2, failed.getStatus().getCode().value(), "received status code is the same as the sent code");
        assertEquals(message, failed.getStatus().getDescription(), "received status message is the same as the sent message, including all whitespace characters");
    }

    /** unimplemented_method: TestService/UnimplementedCall with an empty request. */
    void unimplementedMethod() {
        StatusRuntimeException failed = assertThrows(StatusRuntimeException.class,
                () -> blocking.get().unimplementedCall(Empty.getDefaultInstance()));

        assertEquals(Status.Code.UNIMPLEMENTED, failed.getStatus().getCode(), "received status code is 12 (UNIMPLEMENTED)");
    }

    /** unimplemented_service: UnimplementedService/UnimplementedCall, a service the server does not have. */
    void unimplementedService() {
        StatusRuntimeException failed = assertThrows(StatusRuntimeException.class,
                () -> UnimplementedServiceGrpc.newBlockingStub(blocking.get().getChannel()).withDeadlineAfter(60, TimeUnit.SECONDS)
                        .unimplementedCall(Empty.getDefaultInstance()));

        assertEquals(Status.Code.UNIMPLEMENTED, failed.getStatus().getCode(), "received status code is 12 (UNIMPLEMENTED)");
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
