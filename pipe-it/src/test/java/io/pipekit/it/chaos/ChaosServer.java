package io.pipekit.it.chaos;

import io.pipekit.core.PipeException;
import io.pipekit.core.SendQueueFullException;
import io.pipekit.core.Transport;
import io.pipekit.server.Connection;
import io.pipekit.server.ConnectionHandler;
import io.pipekit.server.PipeServer;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server every chaos scenario runs against, in this JVM so that its resources can be
 * counted: it echoes each whole message through {@link Connection#send}, reading on while the
 * echo is written, as an application that drives its connections does. A client that sends and
 * never reads fills its send queue; at the bound the send fails, typed, and this server closes
 * that connection, as such an application should. It counts how each connection ended.
 */
final class ChaosServer implements ConnectionHandler, AutoCloseable {
    /** Larger than the honest client's largest message (1 MiB), so that only misbehaviour is refused. */
    static final int MAX_MESSAGE = (1 << 20) + 1024;
    /** Four of the largest echoes may wait for a slow reader; a client that never reads trips it. */
    static final long MAX_QUEUED = 4L << 20;

    private final PipeServer server;
    private final Map<String, LongAdder> endings = new ConcurrentHashMap<>();
    private final LongAdder queueFull = new LongAdder();
    private final AtomicInteger open = new AtomicInteger();

    private ChaosServer(String name, Transport transport) throws PipeException {
        server = PipeServer.builder(name).transport(transport).maxMessageSize(MAX_MESSAGE).maxQueuedBytes(MAX_QUEUED)
                .connectionHandler(this).start();
    }

    static ChaosServer start(String name, Transport transport) throws PipeException {
        return new ChaosServer(name, transport);
    }

    @Override
    public void connected(Connection connection) {
        open.incrementAndGet();
    }

    @Override
    public void messageReceived(Connection connection, byte[] message) {
        connection.send(message).whenComplete((written, failure) -> {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            if (cause instanceof SendQueueFullException) {
                queueFull.increment();
                connection.close();
            }
        });
    }

    @Override
    public void closed(Connection connection, PipeException cause) {
        open.decrementAndGet();
        endings.computeIfAbsent(cause == null ? "left" : cause.getClass().getSimpleName(), k -> new LongAdder()).increment();
    }

    /** Connections open now. */
    int openConnections() {
        return open.get();
    }

    /** How many connections ended each way so far: "left", or the exception's simple name. */
    Map<String, Long> endings() {
        Map<String, Long> counts = new TreeMap<>();
        endings.forEach((how, count) -> counts.put(how, count.sum()));
        return counts;
    }

    long endedBy(Class<? extends PipeException> cause) {
        LongAdder count = endings.get(cause.getSimpleName());
        return count == null ? 0 : count.sum();
    }

    /** Sends refused because a client did not read, each of which closed its connection. */
    long queueFullClosures() {
        return queueFull.sum();
    }

    PipeServer server() {
        return server;
    }

    @Override
    public void close() {
        server.close();
    }
}
