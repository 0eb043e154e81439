package io.pipekit.server.unix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pipekit.client.PipeClient;
import io.pipekit.core.PeerClosedException;
import io.pipekit.core.PipeException;
import io.pipekit.core.PipeName;
import io.pipekit.core.PipeType;
import io.pipekit.core.Transport;
import io.pipekit.core.transport.ServerConfig;
import io.pipekit.core.transport.ServerConnection;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Unix connection's batched writes, driven by a listener of its own on the real loop: what a
 * listener does while the connection reports a batch written (writes more, shuts its output down)
 * comes after the batch, and each write is reported exactly once. Through {@code DrivenConnection}
 * a send made from a completion only queues behind the hand-out in progress, so these reach
 * {@code UnixConnection} directly, as the server's other listeners may. (Written from a cold
 * review's probes: removing the guard against re-entering the flush reported a write twice, and
 * shutting the output down at once cut a batch short; {@code UnixPushBatchingTest} caught neither.)
 */
class UnixConnectionBatchTest {
    @TempDir
    Path dir;

    @Test
    void writesMadeWhileABatchIsReportedWrittenFollowItAndEachIsReportedOnce() throws Exception {
        Path socket = dir.resolve("reentrant.sock");
        int batch = 3;
        int more = 5;
        AtomicInteger reported = new AtomicInteger();
        SelectorLoop loop = new SelectorLoop(new ServerConfig(PipeName.of(socket.toString()), 1, 1, 4096, 4096,
                Duration.ofSeconds(5), null, 1 << 20, PipeType.MESSAGE), connection -> {
                    connection.read();
                    return new ServerConnection.Listener() {
                        private int next;

                        @Override
                        public void messageRead(byte[] message) {
                            byte[][] messages = new byte[batch][];
                            for (int i = 0; i < batch; i++) {
                                messages[i] = message(next++);
                            }
                            connection.write(messages, batch);
                        }

                        @Override
                        public void messageWritten() {
                            reported.incrementAndGet();
                            if (next < batch + more) {
                                connection.write(message(next++));
                            }
                        }

                        @Override
                        public void closed(PipeException cause) {
                        }
                    };
                });
        Thread thread = run(loop);
        try (PipeClient client = PipeClient.builder(socket.toString()).transport(Transport.UNIX_DOMAIN_SOCKETS)
                .receiveTimeout(Duration.ofSeconds(10)).connect()) {
            client.send(new byte[] {1});
            for (int i = 0; i < batch + more; i++) {
                assertArrayEquals(message(i), client.receive(Duration.ofSeconds(10)), "message " + i);
            }
            // Every write is reported by the time the loop runs a task queued after the last reached
            // the client: a report too many would have come in the same flush.
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (reported.get() < batch + more && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            java.util.concurrent.CountDownLatch loopTurned = new java.util.concurrent.CountDownLatch(1);
            loop.execute(loopTurned::countDown);
            loopTurned.await(10, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(batch + more, reported.get(), "messageWritten reports for " + (batch + more) + " writes");
        } finally {
            stop(loop, thread);
        }
    }

    /**
     * 4 MiB written in one batch is far more than the socket takes at once, so the shutdown asked
     * for right after it must wait for the rest: the client reads every message, then the end.
     */
    @Test
    void aShutdownOfOutputAskedWhileABatchWaitsForTheSocketComesAfterAllOfIt() throws Exception {
        Path socket = dir.resolve("shutdown.sock");
        int count = 64;
        SelectorLoop loop = new SelectorLoop(new ServerConfig(PipeName.of(socket.toString()), 1, 1, 4096, 4096,
                Duration.ofSeconds(5), null, 1 << 20, PipeType.MESSAGE), connection -> {
                    connection.read();
                    return new ServerConnection.Listener() {
                        @Override
                        public void messageRead(byte[] message) {
                            byte[][] messages = new byte[count][];
                            for (int i = 0; i < count; i++) {
                                messages[i] = big(i);
                            }
                            connection.write(messages, count); // 4 MiB: far more than the socket takes at once
                            connection.shutdownOutput();
                        }

                        @Override
                        public void messageWritten() {
                        }

                        @Override
                        public void closed(PipeException cause) {
                        }
                    };
                });
        Thread thread = run(loop);
        try (PipeClient client = PipeClient.builder(socket.toString()).transport(Transport.UNIX_DOMAIN_SOCKETS)
                .receiveTimeout(Duration.ofSeconds(10)).connect()) {
            client.send(new byte[] {1});
            for (int i = 0; i < count; i++) {
                assertArrayEquals(big(i), client.receive(Duration.ofSeconds(10)), "message " + i);
            }
            assertThrows(PeerClosedException.class, () -> client.receive(Duration.ofSeconds(10)), "the end of the stream after the batch");
        } finally {
            stop(loop, thread);
        }
    }

    /** Opens {@code loop} and runs it on a thread of its own. */
    private static Thread run(SelectorLoop loop) throws PipeException {
        loop.open();
        Thread thread = new Thread(() -> {
            try {
                loop.run();
            } catch (PipeException e) {
                throw new RuntimeException(e);
            }
        }, "loop under test");
        thread.start();
        return thread;
    }

    private static void stop(SelectorLoop loop, Thread thread) throws InterruptedException {
        loop.stop();
        thread.join(10_000);
        assertFalse(thread.isAlive(), "the loop did not stop");
    }

    private static byte[] big(int i) {
        byte[] b = new byte[64 * 1024];
        java.util.Arrays.fill(b, (byte) i);
        return b;
    }

    private static byte[] message(int i) {
        return new byte[] {(byte) i, (byte) (i >> 8), 42};
    }
}
