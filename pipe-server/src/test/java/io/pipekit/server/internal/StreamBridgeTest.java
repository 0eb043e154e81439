package io.pipekit.server.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.server.ConnectionHandler;
import java.io.InputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The stream bridge's flow control and output, against a fake transport and a fake loop: the test
 * plays the loop thread, so the order of events that a race produces is set here, not hoped for.
 */
class StreamBridgeTest {
    private static final long BOUND = 100;

    private final FakeLoop loop = new FakeLoop();
    private final FakeConnection transport = new FakeConnection();
    private final CountDownLatch handlerMayReturn = new CountDownLatch(1);
    private final CompletableFuture<InputStream> handlerInput = new CompletableFuture<>();
    private final CompletableFuture<Thread> handlerThread = new CompletableFuture<>();

    @AfterEach
    void endTheHandler() throws Exception {
        handlerMayReturn.countDown();
        if (handlerThread.isDone()) {
            handlerThread.get().join(TimeUnit.SECONDS.toMillis(10));
        }
        loop.runTasks(); // the handler's close
    }

    private DrivenConnection streamConnection() {
        return streamConnection(BOUND);
    }

    private DrivenConnection streamConnection(long bound) {
        StreamBridge bridge = new StreamBridge((connection, in, out) -> {
            handlerThread.complete(Thread.currentThread());
            handlerInput.complete(in);
            handlerMayReturn.await(); // the test reads this input itself, on its own thread
        }, "test", bound);
        DrivenConnection connection = new DrivenConnection(transport, loop, bridge, 1 << 20, () -> false, c -> { }, c -> { });
        transport.setListener(connection);
        connection.start();
        return connection;
    }

    /**
     * Defect 3 of issue 24. The pause once lived twice, in the input stream and in the connection,
     * and one race made them disagree: the handler reads below half the bound and asks the loop to
     * resume; before the resume runs, the read that was in flight when reading paused delivers,
     * and puts the handler behind again. The resume then read on, the stream thought it was still
     * paused and never paused the connection again: the server took in everything the client sent
     * while the handler read nothing. On that code, this test found a read in flight after the
     * resume with 140 bytes unread and a bound of 100.
     */
    @Test
    void aResumeThatComesAfterTheHandlerFellBehindAgainKeepsReadingPaused() throws Exception {
        streamConnection();
        InputStream in = handlerInput.get(10, TimeUnit.SECONDS);
        assertTrue(transport.readInFlight(), "the first read is asked for at once");

        transport.deliver(new byte[(int) BOUND]); // the handler is behind now; the next read is already in flight
        assertTrue(transport.readInFlight());
        assertEquals(2, transport.reads());

        assertEquals(60, in.readNBytes(60).length); // 40 left: below half the bound, so a resume is queued
        assertEquals(1, loop.waiting(), "the stream asked the loop to resume reading");

        transport.deliver(new byte[(int) BOUND]); // the read in flight arrives before the resume runs: 140 unread
        assertFalse(transport.readInFlight(), "no read is asked for after the one that was in flight");

        loop.runTasks(); // the resume
        assertFalse(transport.readInFlight(), "the resume read on while 140 bytes (the bound is 100) waited unread");
        assertEquals(2, transport.reads());

        assertEquals(140, in.readNBytes(140).length); // caught up: the fall below half the bound resumes for good
        loop.runTasks();
        assertTrue(transport.readInFlight(), "reading resumed once the handler caught up");
        assertEquals(3, transport.reads());
    }

    /** Reading pauses at the bound and resumes below half of it, over and over, with nothing lost. */
    @Test
    void readingPausesAtTheBoundAndResumesBelowHalfOfItRoundAfterRound() throws Exception {
        streamConnection();
        InputStream in = handlerInput.get(10, TimeUnit.SECONDS);
        for (int round = 0; round < 20; round++) {
            byte[] chunk = new byte[(int) BOUND];
            java.util.Arrays.fill(chunk, (byte) round);
            transport.deliver(chunk);
            assertTrue(transport.readInFlight(), "round " + round + ": the read asked for before the handler heard the chunk");
            transport.deliver(new byte[] {(byte) round});
            assertFalse(transport.readInFlight(), "round " + round + ": paused at the bound");
            loop.runTasks();
            assertFalse(transport.readInFlight(), "round " + round + ": no resume while behind");

            byte[] expected = new byte[(int) BOUND + 1];
            java.util.Arrays.fill(expected, (byte) round);
            assertArrayEquals(expected, in.readNBytes(expected.length));
            loop.runTasks();
            assertTrue(transport.readInFlight(), "round " + round + ": resumed once the handler read it all");
        }
    }

    /**
     * With {@code maxQueuedBytes(1)} reading paused at the first byte and resumed below half the
     * bound, 0 bytes, which nothing is below: on that code the connection never read again.
     */
    @Test
    void aBoundOfOneByteResumesOnceTheHandlerHasReadEverything() throws Exception {
        streamConnection(1);
        InputStream in = handlerInput.get(10, TimeUnit.SECONDS);
        transport.deliver(new byte[] {42});
        transport.deliver(new byte[] {43}); // the read that was in flight
        loop.runTasks();
        assertFalse(transport.readInFlight(), "paused with two bytes unread");

        assertEquals(42, in.read());
        assertEquals(43, in.read());
        loop.runTasks();
        assertTrue(transport.readInFlight(), "reading resumed once the handler had read everything");
    }

    /**
     * Lesser defect of issue 24: when another thread filled the send queue, the stream's
     * {@code write} waited for its own last send, long written, and so did not wait at all: it
     * tried again at once, for as long as the queue stayed full (on that code this writer never
     * reached WAITING: it spun until the test gave up). It must wait for the queue to drain.
     */
    @Test
    void aWriteThatFindsTheQueueFilledByAnotherThreadWaitsForItToDrain() throws Exception {
        DrivenConnection connection = new DrivenConnection(transport, loop, (ConnectionHandler) (c, m) -> { }, BOUND,
                () -> false, c -> { }, c -> { });
        transport.setListener(connection);
        connection.start();
        byte[] other = new byte[(int) BOUND];
        CompletableFuture<Void> othersSend = connection.send(other).toCompletableFuture(); // another thread fills the queue
        StreamBridge.Outbound out = new StreamBridge.Outbound(connection);

        byte[] mine = {1, 2, 3};
        CompletableFuture<Void> writeReturned = new CompletableFuture<>();
        Thread writer = new Thread(() -> {
            try {
                out.write(mine);
                writeReturned.complete(null);
            } catch (Throwable e) {
                writeReturned.completeExceptionally(e);
            }
        }, "stream writer");
        writer.setDaemon(true); // on the spinning code it never stops by itself
        writer.start();
        try {
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (writer.getState() != Thread.State.WAITING && System.nanoTime() < giveUp) {
                Thread.onSpinWait();
            }
            assertEquals(Thread.State.WAITING, writer.getState(), "the write never waited for room: it spins");
            assertFalse(writeReturned.isDone());

            loop.runTasks(); // the other thread's message goes to the transport...
            transport.written(); // ...and is written: the queue is empty, and the write goes on
            writeReturned.get(10, TimeUnit.SECONDS);
            assertTrue(othersSend.isDone());
            loop.runTasks();
            assertEquals(2, transport.writes().size());
            assertArrayEquals(mine, transport.writes().get(1), "the waiting write went out after the message that filled the queue");
        } finally {
            writer.interrupt();
            writer.join(TimeUnit.SECONDS.toMillis(10));
        }
    }

    /**
     * Issue 25: the stream's output may be written from several threads (an LSP server pushes
     * notifications while it answers). Writers that found the send queue full each waited for it
     * to drain and then raced: the one that woke first went first, whatever order they called
     * {@code write} in. Three writers call in turn while another thread's message fills the queue;
     * their messages must go out in that order, each whole.
     */
    @Test
    void writersWaitingForRoomGoOutInTheOrderTheyCalledWrite() throws Exception {
        DrivenConnection connection = new DrivenConnection(transport, loop, (ConnectionHandler) (c, m) -> { }, BOUND,
                () -> false, c -> { }, c -> { });
        transport.setListener(connection);
        connection.start();
        CompletableFuture<Void> othersSend = connection.send(new byte[(int) BOUND]).toCompletableFuture(); // the queue is full
        StreamBridge.Outbound out = new StreamBridge.Outbound(connection);

        java.util.List<Thread> writers = new java.util.ArrayList<>();
        java.util.List<CompletableFuture<Void>> returned = new java.util.ArrayList<>();
        try {
            for (int i = 1; i <= 3; i++) {
                byte[] mine = {(byte) i, (byte) i};
                CompletableFuture<Void> done = new CompletableFuture<>();
                Thread writer = new Thread(() -> {
                    try {
                        out.write(mine);
                        done.complete(null);
                    } catch (Throwable e) {
                        done.completeExceptionally(e);
                    }
                }, "stream writer " + i);
                writer.setDaemon(true);
                writer.start();
                awaitWaiting(writer); // in write, before the next one calls it
                writers.add(writer);
                returned.add(done);
            }

            // Play the loop and the pipe: hand out what was sent, report each written, until every writer returned.
            int reported = 0;
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!returned.stream().allMatch(CompletableFuture::isDone) && System.nanoTime() < giveUp) {
                loop.runTasks();
                for (; reported < transport.writes().size(); reported++) {
                    transport.written();
                }
                Thread.onSpinWait();
            }
            for (CompletableFuture<Void> done : returned) {
                done.get(10, TimeUnit.SECONDS);
            }
            loop.runTasks();
            assertTrue(othersSend.isDone());
            assertEquals(4, transport.writes().size(), "the message that filled the queue and the three writes");
            for (int i = 1; i <= 3; i++) {
                assertArrayEquals(new byte[] {(byte) i, (byte) i}, transport.writes().get(i),
                        "message " + i + " after the one that filled the queue is writer " + i + "'s");
            }
        } finally {
            for (Thread writer : writers) {
                writer.interrupt();
                writer.join(TimeUnit.SECONDS.toMillis(10));
            }
        }
    }

    private static void awaitWaiting(Thread thread) {
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (thread.getState() != Thread.State.WAITING && System.nanoTime() < giveUp) {
            Thread.onSpinWait();
        }
        assertEquals(Thread.State.WAITING, thread.getState(), thread.getName() + " waits in write");
    }
}
