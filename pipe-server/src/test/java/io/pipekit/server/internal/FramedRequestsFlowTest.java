package io.pipekit.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.core.LengthPrefixFraming;
import io.pipekit.core.PeerIdentity;
import io.pipekit.core.SendQueueFullException;
import io.pipekit.server.Connection;
import io.pipekit.server.ConnectionHandler;
import io.pipekit.server.FramedRequests;
import io.pipekit.server.RequestHandler;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * FramedRequests' flow control (an answer the send queue refused waits, and goes out once there is
 * room) against a fake transport and a fake loop, so the test decides when the loop runs.
 */
class FramedRequestsFlowTest {
    private static final LengthPrefixFraming FRAMING = LengthPrefixFraming.u32be(1024);

    private final FakeLoop loop = new FakeLoop();
    private final FakeConnection transport = new FakeConnection();

    /**
     * Review defect: the refused answer's retry ran inside the future that said the queue had room,
     * so an Error from the request handler there was kept by that future: no log, the connection
     * stayed open with reading paused, and nothing resumed it. On that code the connection was
     * still open after the loop had run everything. Now the retry runs as a loop task, and what it
     * throws ends the connection.
     */
    @Test
    void anErrorWhileAnsweringAWaitingRequestEndsTheConnection() throws Exception {
        AtomicInteger answered = new AtomicInteger();
        RequestHandler handler = (client, request) -> {
            if (answered.incrementAndGet() == 3) {
                throw new AssertionError("the handler broke");
            }
            return new byte[40];
        };
        DrivenConnection connection = new DrivenConnection(transport, loop, FramedRequests.answering(FRAMING, handler), 50,
                () -> false, c -> { }, c -> { });
        transport.setListener(connection);
        connection.start();

        // Three requests at once: the first answer is accepted, the second refused (the queue is full),
        // and the third waits behind it.
        transport.deliver(frames(3));
        loop.runTasks();
        assertEquals(1, transport.writes().size(), "the first answer went out");

        transport.written(); // room again: the refused answer goes, then the third request is answered (and throws)
        loop.runTasks();

        assertTrue(transport.closed(), "the connection was ended, not left paused with nothing to resume it");
        assertEquals(0, loop.failures().size(), "the failure stayed inside the connection: " + loop.failures());
    }

    /**
     * Review defect: a connection that is not the server's own (a wrapper) whose queue is full of
     * other senders' messages: the future that said "room" was complete already, so the retry ran
     * inline, was refused, and retried again, until a StackOverflowError, kept silently by a
     * future. On that code the connection stayed open, nothing was logged, and the answer was lost.
     * Now such a connection is ended, since there is nothing of its own to wait for.
     */
    @Test
    void aWrappedConnectionWhoseQueueOthersFillIsEndedNotRetriedUntilTheStackOverflows() throws Exception {
        RefusingConnection refusing = new RefusingConnection();
        ConnectionHandler requests = FramedRequests.answering(FRAMING, (client, request) -> new byte[] {1});
        requests.connected(refusing);

        requests.messageReceived(refusing, frames(1));

        assertTrue(refusing.closed, "the connection was ended");
        assertTrue(refusing.sends.get() < 10, "sends tried: " + refusing.sends.get());
    }

    private static byte[] frames(int count) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            out.write(FRAMING.frame(new byte[] {(byte) i}));
        }
        return out.toByteArray();
    }

    /** A connection whose send queue others keep full: every send is refused. */
    private static final class RefusingConnection implements Connection {
        final AtomicInteger sends = new AtomicInteger();
        volatile boolean closed;

        @Override
        public long id() {
            return 7;
        }

        @Override
        public PeerIdentity peer() {
            return PeerIdentity.unixBuilder().processId(1).uid(1000).gid(1000).user("fake").build();
        }

        @Override
        public <T> T runAsClient(Callable<T> work) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean canRunAsClient() {
            return false;
        }

        @Override
        public CompletionStage<Void> send(byte[] message) {
            sends.incrementAndGet();
            return CompletableFuture.failedFuture(new SendQueueFullException("send to client 7", "others fill the queue"));
        }

        @Override
        public void close() {
            closed = true;
        }

        @Override
        public boolean isOpen() {
            return !closed;
        }
    }
}
