package io.pipekit.server;

import io.pipekit.testing.NativeWaits;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A client call made on a thread of its own, expected to block until something else ends it,
 * and when it ended: for measuring how soon {@code close()} from another thread frees it.
 */
final class BlockedCall {
    /** The call: any client operation. */
    interface Call {
        Object run() throws Exception;
    }

    private final CompletableFuture<Throwable> outcome = new CompletableFuture<>();
    private final Thread thread;
    private volatile long endedAtNanos;
    private volatile boolean interruptFlagAfter;

    private BlockedCall(Call call) {
        thread = new Thread(() -> {
            Throwable failure = null;
            try {
                call.run();
            } catch (Throwable t) {
                failure = t;
            }
            endedAtNanos = System.nanoTime();
            interruptFlagAfter = Thread.currentThread().isInterrupted();
            outcome.complete(failure);
        }, "blocked call");
        thread.setDaemon(true);
    }

    static BlockedCall start(Call call) {
        BlockedCall blocked = new BlockedCall(call);
        blocked.thread.start();
        return blocked;
    }

    /** What the call threw ({@code null} if it returned), once it has ended and its thread is gone. */
    Throwable outcome(Duration timeout) throws Exception {
        Throwable failure = outcome.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        thread.join(timeout.toMillis());
        return failure;
    }

    /** Interrupts the call's thread. */
    void interrupt() {
        thread.interrupt();
    }

    /** Whether the call's thread had its interrupt flag set when the call ended. */
    boolean interruptFlagAfter() {
        return interruptFlagAfter;
    }

    /** Waits until the call waits to connect again: NativeWaits#awaitWaitingToConnect. */
    void awaitWaitingToConnect(Duration timeout) throws InterruptedException {
        NativeWaits.awaitWaitingToConnect(thread, timeout);
    }

    long endedAtNanos() {
        return endedAtNanos;
    }

    /** Waits until the call is blocked in the transport's wait (see {@link NativeWaits}). */
    void awaitWaiting(Duration timeout) throws InterruptedException {
        NativeWaits.awaitWaitingInPipekit(thread, timeout);
    }

    /** {@link NativeWaits#awaitWaitingInPipekit}. */
    static void awaitWaitingInPipekit(Thread thread, Duration timeout) throws InterruptedException {
        NativeWaits.awaitWaitingInPipekit(thread, timeout);
    }

    /** {@link NativeWaits#isWaitingInPipekit}. */
    static boolean isWaitingInPipekit(Thread thread) {
        return NativeWaits.isWaitingInPipekit(thread);
    }
}
