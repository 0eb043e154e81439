package io.pipekit.server.internal;

import java.util.concurrent.CompletableFuture;

/**
 * A connection's accepted sends, oldest first: each message with the future its sender holds.
 * A ring of two parallel arrays, so that queuing a send allocates nothing once the ring has grown
 * to the connection's usual depth (a linked node or a pair object per send would be garbage on
 * every push). Not thread-safe: its owner guards it.
 */
final class SendQueue {
    private byte[][] messages = new byte[8][];
    @SuppressWarnings("unchecked")
    private CompletableFuture<Void>[] futures = new CompletableFuture[8];
    private int head;
    private int size;

    int size() {
        return size;
    }

    void add(byte[] message, CompletableFuture<Void> future) {
        if (size == messages.length) {
            grow();
        }
        int slot = (head + size) & (messages.length - 1);
        messages[slot] = message;
        futures[slot] = future;
        size++;
    }

    /** The message {@code index} places behind the oldest. */
    byte[] message(int index) {
        return messages[(head + index) & (messages.length - 1)];
    }

    /** The newest send's future; the queue must not be empty. */
    CompletableFuture<Void> newestFuture() {
        return futures[(head + size - 1) & (messages.length - 1)];
    }

    /** The oldest message's length; the queue must not be empty. */
    int firstLength() {
        return messages[head].length;
    }

    /** Removes the oldest send and returns its future; the queue must not be empty. */
    CompletableFuture<Void> removeFirst() {
        CompletableFuture<Void> future = futures[head];
        messages[head] = null; // the array may be large: let it go as soon as it is written
        futures[head] = null;
        head = (head + 1) & (messages.length - 1);
        size--;
        return future;
    }

    @SuppressWarnings("unchecked")
    private void grow() {
        int capacity = messages.length * 2;
        byte[][] newMessages = new byte[capacity][];
        CompletableFuture<Void>[] newFutures = new CompletableFuture[capacity];
        for (int i = 0; i < size; i++) {
            int slot = (head + i) & (messages.length - 1);
            newMessages[i] = messages[slot];
            newFutures[i] = futures[slot];
        }
        messages = newMessages;
        futures = newFutures;
        head = 0;
    }
}
