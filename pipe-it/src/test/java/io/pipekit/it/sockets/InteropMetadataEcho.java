package io.pipekit.it.sockets;

import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * The interop server's Echo Metadata feature: the request's {@code x-grpc-test-echo-initial} goes
 * back in the response's initial metadata, its {@code x-grpc-test-echo-trailing-bin} in the trailers.
 */
final class InteropMetadataEcho implements ServerInterceptor {
    static final Metadata.Key<String> ECHO_INITIAL = Metadata.Key.of("x-grpc-test-echo-initial", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<byte[]> ECHO_TRAILING = Metadata.Key.of("x-grpc-test-echo-trailing-bin", Metadata.BINARY_BYTE_MARSHALLER);

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata request, ServerCallHandler<Q, R> next) {
        return next.startCall(new SimpleForwardingServerCall<>(call) {
            @Override
            public void sendHeaders(Metadata headers) {
                copy(request, headers, ECHO_INITIAL);
                super.sendHeaders(headers);
            }

            @Override
            public void close(Status status, Metadata trailers) {
                copy(request, trailers, ECHO_TRAILING);
                super.close(status, trailers);
            }
        }, request);
    }

    private static <T> void copy(Metadata from, Metadata to, Metadata.Key<T> key) {
        T value = from.get(key);
        if (value != null) {
            to.put(key, value);
        }
    }
}
