package io.pipekit.server.windows;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.client.PipeClient;
import io.pipekit.core.PipeException;
import io.pipekit.core.PipeName;
import io.pipekit.core.PipeType;
import io.pipekit.core.Transport;
import io.pipekit.core.transport.ServerConfig;
import io.pipekit.core.transport.ServerConnection;
import io.pipekit.core.windows.NativeAllocations;
import io.pipekit.core.windows.NativeHandles;
import io.pipekit.testing.Resources;
import io.pipekit.testing.WindowsOnly;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** One pipe instance's write chain, driven through the real loop, on Windows and under Wine. */
@WindowsOnly
class PipeInstanceTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final String name = "pipekit-instance-" + UUID.randomUUID();

    /**
     * Issue 24: when the write that follows a completed one failed at once, the completed one's
     * {@code messageWritten} was never told: the listener heard only the close, and a sender
     * counting its written messages lost one that did reach the client.
     *
     * <p>The construction makes {@code WriteFileEx} fail synchronously every time: the acceptor
     * writes two messages (the second waits behind the first) and then holds the loop thread
     * until the client has read the first and closed its end. The first write's completion
     * routine can only run at the loop's next alertable wait, after that; it then starts the
     * second write on a pipe whose client is gone, which {@code WriteFileEx} refuses at once
     * (the client gone: no failure, so the close comes without a cause). That it is refused at
     * once, and not through a failing completion, the code before the fix showed: it told the
     * listener of the first write only when the second started, and here the listener heard the
     * close alone.
     */
    @Test
    void aWriteThatCompletedIsToldWrittenEvenWhenTheNextCannotStart() throws Exception {
        long before = NativeHandles.liveCount() + NativeAllocations.liveCount();
        List<String> heard = new CopyOnWriteArrayList<>();
        CountDownLatch clientGone = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        ServerConfig config = new ServerConfig(PipeName.of(name), ServerConfig.UNLIMITED_INSTANCES, 1, 4096, 4096,
                Duration.ofSeconds(5), null, 1 << 20, PipeType.MESSAGE);
        CompletionRoutineLoop loop = new CompletionRoutineLoop(config, connection -> {
            connection.write("first".getBytes(UTF_8));
            connection.write("second".getBytes(UTF_8));
            try {
                assertTrue(clientGone.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), "the client never left");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new ServerConnection.Listener() {
                @Override
                public void messageRead(byte[] message) {
                    heard.add("read");
                }

                @Override
                public void messageWritten() {
                    heard.add("written");
                }

                @Override
                public void closed(PipeException cause) {
                    heard.add(cause == null ? "closed" : "closed: " + cause); // null: the client left, no failure
                    closed.countDown();
                }
            };
        });
        Thread thread = new Thread(() -> {
            try {
                loop.open();
                loop.run();
            } catch (PipeException e) {
                heard.add("loop failed: " + e);
                closed.countDown();
            }
        }, "loop under test " + name);
        thread.start();
        try {
            try (PipeClient client = PipeClient.builder(name).transport(Transport.WINDOWS_NAMED_PIPES).connectTimeout(TIMEOUT)
                    .receiveTimeout(TIMEOUT).connect()) {
                assertArrayEquals("first".getBytes(UTF_8), client.receive());
            }
            clientGone.countDown();

            assertTrue(closed.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), "the connection never ended: " + heard);
            assertEquals(List.of("written", "closed"), heard, "the first message reached the client");
        } finally {
            clientGone.countDown();
            loop.stop();
            thread.join(TIMEOUT.toMillis());
        }
        assertTrue(!thread.isAlive(), "the loop did not stop");
        Resources.assertBackTo(() -> NativeHandles.liveCount() + NativeAllocations.liveCount(), before, true,
                Duration.ofSeconds(2), "pipekit's handles and native blocks");
    }
}
