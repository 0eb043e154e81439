package io.pipekit.it.sockets;

import com.google.protobuf.ByteString;
import io.grpc.Status;
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
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The gRPC interop {@code TestService}, as grpc/grpc's doc/interop-test-descriptions.md specifies
 * the server features that {@link GrpcOverUnixSocketTest} calls: EmptyCall, UnaryCall,
 * StreamingInputCall, StreamingOutputCall, FullDuplexCall and Echo Status (Echo Metadata is
 * {@link InteropMetadataEcho}). Payloads are zeros of type COMPRESSABLE; {@code interval_us},
 * compression and the auth echoes are not implemented, as no case here asks for them.
 */
final class InteropTestService extends TestServiceGrpc.TestServiceImplBase {
    /** For each FullDuplexCall that ended cancelled (by the client, or by its deadline): the payload bytes it had received. */
    final BlockingQueue<Integer> cancelledDuplexCalls = new LinkedBlockingQueue<>();

    @Override
    public void emptyCall(Empty request, StreamObserver<Empty> responses) {
        responses.onNext(Empty.getDefaultInstance());
        responses.onCompleted();
    }

    @Override
    public void unaryCall(SimpleRequest request, StreamObserver<SimpleResponse> responses) {
        if (request.hasResponseStatus()) {
            responses.onError(status(request.getResponseStatus()).asRuntimeException());
            return;
        }
        responses.onNext(SimpleResponse.newBuilder().setPayload(zeros(request.getResponseSize())).build());
        responses.onCompleted();
    }

    @Override
    public void streamingOutputCall(StreamingOutputCallRequest request, StreamObserver<StreamingOutputCallResponse> responses) {
        if (request.hasResponseStatus()) {
            responses.onError(status(request.getResponseStatus()).asRuntimeException());
            return;
        }
        respond(request.getResponseParametersList(), responses);
        responses.onCompleted();
    }

    @Override
    public StreamObserver<StreamingInputCallRequest> streamingInputCall(StreamObserver<StreamingInputCallResponse> response) {
        return new StreamObserver<>() {
            private int aggregated;

            @Override
            public void onNext(StreamingInputCallRequest request) {
                aggregated += request.getPayload().getBody().size();
            }

            @Override
            public void onError(Throwable t) {
                // The client went away: nobody to answer.
            }

            @Override
            public void onCompleted() {
                response.onNext(StreamingInputCallResponse.newBuilder().setAggregatedPayloadSize(aggregated).build());
                response.onCompleted();
            }
        };
    }

    @Override
    public StreamObserver<StreamingOutputCallRequest> fullDuplexCall(StreamObserver<StreamingOutputCallResponse> responses) {
        return new StreamObserver<>() {
            private int received;
            private boolean closed;

            @Override
            public void onNext(StreamingOutputCallRequest request) {
                received += request.getPayload().getBody().size();
                if (closed) {
                    return; // Echo Status: no further message is processed
                }
                if (request.hasResponseStatus()) {
                    closed = true;
                    responses.onError(status(request.getResponseStatus()).asRuntimeException());
                    return;
                }
                respond(request.getResponseParametersList(), responses);
            }

            @Override
            public void onError(Throwable t) {
                cancelledDuplexCalls.add(received);
            }

            @Override
            public void onCompleted() {
                if (!closed) {
                    responses.onCompleted();
                }
            }
        };
    }

    private static void respond(List<ResponseParameters> parameters, StreamObserver<StreamingOutputCallResponse> responses) {
        for (ResponseParameters one : parameters) {
            responses.onNext(StreamingOutputCallResponse.newBuilder().setPayload(zeros(one.getSize())).build());
        }
    }

    private static Payload zeros(int size) {
        return Payload.newBuilder().setBody(ByteString.copyFrom(new byte[size])).build();
    }

    private static Status status(EchoStatus echo) {
        return Status.fromCodeValue(echo.getCode()).withDescription(echo.getMessage());
    }
}
