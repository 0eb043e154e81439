package io.pipekit.server.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class SendQueueTest {

    @Test
    void keepsSendsInOrderAcrossWrapAroundAndGrowth() {
        SendQueue queue = new SendQueue();
        ArrayDeque<CompletableFuture<Void>> expected = new ArrayDeque<>();
        ArrayDeque<byte[]> messages = new ArrayDeque<>();
        int next = 0;
        // Add three, remove two, many times: the head walks round the ring while it grows.
        for (int round = 0; round < 50; round++) {
            for (int i = 0; i < 3; i++) {
                byte[] message = new byte[next++ % 7];
                CompletableFuture<Void> future = new CompletableFuture<>();
                queue.add(message, future);
                expected.add(future);
                messages.add(message);
            }
            for (int i = 0; i < 2; i++) {
                assertEquals(messages.peek().length, queue.firstLength());
                assertSame(messages.peek(), queue.message(0));
                messages.poll();
                assertSame(expected.poll(), queue.removeFirst());
            }
            assertEquals(expected.size(), queue.size());
        }
        int index = 0;
        for (byte[] message : messages) {
            assertSame(message, queue.message(index++), "message " + index + " behind the oldest");
        }
        while (queue.size() > 0) {
            assertSame(expected.poll(), queue.removeFirst());
        }
        assertArrayEquals(new Object[0], expected.toArray());
    }
}
