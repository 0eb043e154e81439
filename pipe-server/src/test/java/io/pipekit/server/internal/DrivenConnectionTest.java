package io.pipekit.server.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.core.PipeClosedException;
import io.pipekit.server.ConnectionHandler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** A driven connection against a fake transport and a fake loop. */
class DrivenConnectionTest {
    private final FakeLoop loop = new FakeLoop();
    private final FakeConnection transport = new FakeConnection();

    private DrivenConnection connection() {
        DrivenConnection connection = new DrivenConnection(transport, loop, (ConnectionHandler) (c, m) -> { }, 1 << 20,
                () -> false, c -> { }, c -> { });
        transport.setListener(connection);
        connection.start();
        return connection;
    }

    /**
     * Lesser defect of issue 24: a transport write that threw left the hand-out marked as on its
     * way to the loop, so no later send asked the loop again, and every later send waited forever
     * (on that code, both sends here were still pending after the loop had run everything). A
     * transport in an unknown state is closed instead, and every send completes.
     */
    @Test
    void aTransportWriteThatThrowsClosesTheConnectionAndNoSendWaitsForever() {
        DrivenConnection connection = connection();
        transport.failNextWrite(new IllegalStateException("the transport broke"));

        CompletableFuture<Void> first = connection.send(new byte[] {1}).toCompletableFuture();
        loop.runTasks();
        CompletableFuture<Void> second = connection.send(new byte[] {2}).toCompletableFuture();
        loop.runTasks();

        assertTrue(first.isDone() && second.isDone(), "sends left waiting: first " + first + ", second " + second);
        assertInstanceOf(PipeClosedException.class, failure(first));
        assertInstanceOf(PipeClosedException.class, failure(second));
        assertTrue(transport.closed(), "the connection was closed");
        assertEquals(0, loop.failures().size(), "the failure stayed inside the connection: " + loop.failures());
    }

    private static Throwable failure(CompletableFuture<Void> failed) {
        try {
            failed.join();
            throw new AssertionError("completed normally");
        } catch (CompletionException e) {
            return e.getCause();
        }
    }
}
