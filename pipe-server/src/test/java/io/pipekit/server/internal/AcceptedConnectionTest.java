package io.pipekit.server.internal;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.core.PipeClosedException;
import io.pipekit.core.transport.ClientConnection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** An accepted socket's connection against a fake transport and a fake loop. */
class AcceptedConnectionTest {
    private static final long PATIENCE_SECONDS = 30;
    private final FakeLoop loop = new FakeLoop();
    private final FakeConnection transport = new FakeConnection();

    /**
     * Review of issue 26: a close() that comes after a send was refused for room, but before the
     * send marked itself as waiting, read "no send waits" and left the connection to close once
     * drained, which a client that does not read never lets happen; the send then waited for room
     * forever. It now sees the close, closes the connection and fails as closed.
     */
    @Test
    void aCloseBetweenASendsRefusalAndItsWaitEndsTheSendAndTheConnection() throws Exception {
        DrivenConnection driven = new DrivenConnection(transport, loop, new SocketAcceptor(1, 1), 1, () -> false, c -> { }, c -> { });
        transport.setListener(driven);
        AcceptedConnection accepted = new AcceptedConnection(driven, 1);
        driven.send(new byte[] {1}); // the only message the bound takes; the fake client never reads it
        loop.runTasks();
        accepted.onRefusal = accepted::close; // the close from another thread, at the worst moment

        CompletableFuture<Void> send = CompletableFuture.runAsync(() -> {
            try {
                accepted.send(new byte[] {2}, 0, 1, ClientConnection.NO_TIMEOUT);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        try {
            Throwable failure = assertThrowsWithin(send);
            assertInstanceOf(PipeClosedException.class, failure.getCause().getCause(), "the send failed otherwise: " + failure);
            loop.runTasks();
            assertTrue(transport.closed(), "the connection was left open");
        } finally {
            driven.close(); // frees a send still waiting, if the test failed
            loop.runTasks();
        }
    }

    private static Throwable assertThrowsWithin(CompletableFuture<Void> send) throws InterruptedException {
        try {
            send.get(PATIENCE_SECONDS, TimeUnit.SECONDS);
            throw new AssertionError("the send to a closed socket succeeded");
        } catch (ExecutionException e) {
            return e;
        } catch (TimeoutException e) {
            throw new AssertionError("the send still waits for room on a closed socket", e);
        }
    }
}
