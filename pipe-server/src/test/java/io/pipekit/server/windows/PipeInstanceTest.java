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
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
     * <p>The construction makes the second write fail synchronously every time: the acceptor
     * writes two messages (the second waits behind the first) and then holds the loop thread
     * until the client has read the first and closed its end. The first write's completion
     * reaches its instance only after the loop's next wait (a routine when the writes were
     * {@code WriteFileEx}, a hand-over now), after that; it then starts the
     * second write on a pipe whose client is gone, which {@code WriteFile} refuses at once
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

    /**
     * A write the pipe cannot take at once (a message larger than its buffer, to a client not yet
     * reading) is in flight until the client reads: the loop learns of its end through the write
     * event, not a routine, and the listener hears it only then.
     */
    @Test
    void aWriteThePipeCannotTakeAtOnceIsToldWrittenWhenTheClientHasReadIt() throws Exception {
        long before = NativeHandles.liveCount() + NativeAllocations.liveCount();
        byte[] big = new byte[256 * 1024];
        new Random(7).nextBytes(big);
        AtomicInteger written = new AtomicInteger();
        CompletionRoutineLoop loop = new CompletionRoutineLoop(config(4096), connection -> {
            for (int i = 0; i < 3; i++) {
                connection.write(big);
            }
            return listener(() -> written.incrementAndGet(), null);
        });
        Thread thread = run(loop);
        try {
            try (PipeClient client = connect()) {
                Thread.sleep(300); // the server's writes meanwhile: the first cannot complete before we read
                assertEquals(0, written.get(), "a 256 KiB message cannot be in a 4 KiB pipe before the client reads");
                for (int i = 0; i < 3; i++) {
                    assertArrayEquals(big, client.receive(), "message " + i);
                }
                Resources.assertBackTo(() -> (long) written.get(), 3, true, TIMEOUT, "messages told written");
            }
        } finally {
            stop(loop, thread);
        }
        Resources.assertBackTo(() -> NativeHandles.liveCount() + NativeAllocations.liveCount(), before, true,
                Duration.ofSeconds(2), "pipekit's handles and native blocks");
    }

    /**
     * Stopping with a write in flight that the client never takes: the cancelled write's end
     * comes through the write event, the instance is released after it, and the loop ends with
     * every handle and block freed. (Had the loop not waited on the write event, it would never
     * have learnt that the cancelled write ended, and would never have stopped.)
     */
    @Test
    void stoppingWithAWriteTheClientNeverTakesEndsItAndFreesEverything() throws Exception {
        long before = NativeHandles.liveCount() + NativeAllocations.liveCount();
        CountDownLatch closed = new CountDownLatch(1);
        CompletionRoutineLoop loop = new CompletionRoutineLoop(config(4096), connection -> {
            connection.write(new byte[256 * 1024]);
            return listener(null, closed);
        });
        Thread thread = run(loop);
        try (PipeClient client = connect()) {
            Thread.sleep(200); // the write in flight, the client not reading
            stop(loop, thread);
            assertTrue(closed.await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), "the connection never ended");
        } finally {
            stop(loop, thread);
        }
        Resources.assertBackTo(() -> NativeHandles.liveCount() + NativeAllocations.liveCount(), before, true,
                Duration.ofSeconds(2), "pipekit's handles and native blocks");
    }

    /**
     * Messages of mixed sizes, some that the pipe takes at once and some larger than its buffer,
     * so that writes completed at once and writes in flight mix: the client receives every
     * one in the order written, and the listener hears every one written.
     */
    @Test
    void messagesOfMixedSizesArriveInOrderAndAreEachToldWritten() throws Exception {
        int count = 300;
        int[] sizes = {10, 3000, 70 * 1024, 1, 9000};
        AtomicInteger written = new AtomicInteger();
        CompletionRoutineLoop loop = new CompletionRoutineLoop(config(4096), connection -> {
            for (int i = 0; i < count; i++) {
                connection.write(numbered(i, sizes[i % sizes.length]));
            }
            return listener(written::incrementAndGet, null);
        });
        Thread thread = run(loop);
        try (PipeClient client = connect()) {
            for (int i = 0; i < count; i++) {
                assertArrayEquals(numbered(i, sizes[i % sizes.length]), client.receive(), "message " + i);
            }
            Resources.assertBackTo(() -> (long) written.get(), count, true, TIMEOUT, "messages told written");
        } finally {
            stop(loop, thread);
        }
    }

    /** A message of {@code size} bytes that says which it is: its index, then a pattern of it. */
    private static byte[] numbered(int index, int size) {
        byte[] message = new byte[size];
        for (int i = 0; i < size; i++) {
            message[i] = (byte) (index * 31 + i);
        }
        message[0] = (byte) index;
        return message;
    }

    /**
     * A connection whose handler writes again each time a write is done, to a client that keeps
     * reading, has its writes complete at once, one after the other, without the loop ever
     * having to wait for one. The loop still gets to its wait between them, so another client is
     * served meanwhile: its round trips complete while the first connection's writes go on.
     */
    @Test
    void writesThatAllCompleteAtOnceDoNotKeepOtherClientsWaiting() throws Exception {
        AtomicInteger accepted = new AtomicInteger();
        AtomicLong pushed = new AtomicLong();
        AtomicBoolean pushing = new AtomicBoolean(true);
        byte[] message = new byte[64];
        CompletionRoutineLoop loop = new CompletionRoutineLoop(config(65536), connection -> {
            if (accepted.incrementAndGet() == 1) { // the pusher's connection: a write after each one done
                connection.write(message);
                return listener(() -> {
                    pushed.incrementAndGet();
                    if (pushing.get()) {
                        connection.write(message);
                    }
                }, null);
            }
            connection.read(); // the other: an answer to each request
            return new ServerConnection.Listener() {
                @Override
                public void messageRead(byte[] request) {
                    connection.write(request);
                }

                @Override
                public void messageWritten() {
                    connection.read();
                }

                @Override
                public void closed(PipeException cause) {
                }
            };
        });
        Thread thread = run(loop);
        Thread reader = null;
        try (PipeClient pushedTo = connect()) {
            reader = new Thread(() -> {
                try {
                    while (true) {
                        pushedTo.receive();
                    }
                } catch (PipeException ended) {
                    // the client closed at the end of the test
                }
            }, "reader of the pushed messages");
            reader.start();
            Resources.assertBackTo(() -> pushed.get() >= 1000 ? 1L : 0L, 1, true, TIMEOUT, "pushes under way");
            try (PipeClient asking = connect()) {
                for (int i = 0; i < 20; i++) {
                    byte[] request = ("request " + i).getBytes(UTF_8);
                    asking.send(request);
                    assertArrayEquals(request, asking.receive(), "answer " + i);
                }
            }
            long during = pushed.get();
            Resources.assertBackTo(() -> pushed.get() > during ? 1L : 0L, 1, true, TIMEOUT, "pushes still under way after the round trips");
        } finally {
            pushing.set(false);
            stop(loop, thread);
            if (reader != null) {
                reader.join(TIMEOUT.toMillis());
            }
        }
    }

    private ServerConfig config(int bufferSize) {
        return new ServerConfig(PipeName.of(name), ServerConfig.UNLIMITED_INSTANCES, 1, bufferSize, bufferSize,
                Duration.ofSeconds(5), null, 1 << 20, PipeType.MESSAGE);
    }

    private static ServerConnection.Listener listener(Runnable onWritten, CountDownLatch closed) {
        return new ServerConnection.Listener() {
            @Override
            public void messageRead(byte[] message) {
            }

            @Override
            public void messageWritten() {
                if (onWritten != null) {
                    onWritten.run();
                }
            }

            @Override
            public void closed(PipeException cause) {
                if (closed != null) {
                    closed.countDown();
                }
            }
        };
    }

    private Thread run(CompletionRoutineLoop loop) {
        Thread thread = new Thread(() -> {
            try {
                loop.open();
                loop.run();
            } catch (PipeException e) {
                throw new IllegalStateException(e);
            }
        }, "loop under test " + name);
        thread.start();
        return thread;
    }

    private PipeClient connect() throws PipeException {
        return PipeClient.builder(name).transport(Transport.WINDOWS_NAMED_PIPES).connectTimeout(TIMEOUT).receiveTimeout(TIMEOUT).connect();
    }

    private static void stop(CompletionRoutineLoop loop, Thread thread) throws InterruptedException {
        loop.stop();
        thread.join(TIMEOUT.toMillis());
        assertTrue(!thread.isAlive(), "the loop did not stop");
    }
}
