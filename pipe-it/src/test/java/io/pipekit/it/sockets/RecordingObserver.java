package io.pipekit.it.sockets;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A gRPC call's responses as a test reads them: each in order as it arrives, then the status the
 * call ended with. The waits are bounds that fail a hung call, never measurements.
 */
final class RecordingObserver<T> implements StreamObserver<T> {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private final BlockingQueue<T> responses = new LinkedBlockingQueue<>();
    private final CompletableFuture<Status> end = new CompletableFuture<>();

    @Override
    public void onNext(T response) {
        responses.add(response);
    }

    @Override
    public void onError(Throwable t) {
        end.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
        end.complete(Status.OK);
    }

    /** The next response, waiting for it. */
    T next() throws InterruptedException {
        T response = responses.poll(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        assertNotNull(response, "no response within " + PATIENCE);
        return response;
    }

    /** How the call ended, waiting for it; then {@link #rest()} holds the responses not yet read. */
    Status end() throws Exception {
        return end.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The responses not read with {@link #next()}. */
    List<T> rest() {
        List<T> rest = new ArrayList<>();
        responses.drainTo(rest);
        return rest;
    }
}
