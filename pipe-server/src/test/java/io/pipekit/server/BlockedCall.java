package io.pipekit.server;

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

    private BlockedCall(Call call) {
        thread = new Thread(() -> {
            Throwable failure = null;
            try {
                call.run();
            } catch (Throwable t) {
                failure = t;
            }
            endedAtNanos = System.nanoTime();
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

    long endedAtNanos() {
        return endedAtNanos;
    }

    /** Waits until the call is blocked in the transport's wait (see {@link #awaitWaitingInPipekit(Thread, Duration)}). */
    void awaitWaiting(Duration timeout) throws InterruptedException {
        awaitWaitingInPipekit(thread, timeout);
    }

    /**
     * Waits until {@code thread} is blocked in the OS wait of a pipekit client call: its innermost
     * frame is the native wait (epoll on Linux, kqueue on macOS, WaitForMultipleObjects on
     * Windows) and a pipekit client frame is below it. The thread's state cannot tell this: a
     * thread in a native wait is RUNNABLE to the JVM. Fails if it is not so within {@code timeout}.
     */
    static void awaitWaitingInPipekit(Thread thread, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        StackTraceElement[] stack = thread.getStackTrace();
        while (!isWaitingInPipekit(stack)) {
            if (System.nanoTime() - deadline > 0 || !thread.isAlive()) {
                throw new AssertionError("not blocked in a pipekit client's wait within " + timeout + "; "
                        + thread.getName() + " is " + thread.getState() + " at " + java.util.Arrays.toString(stack));
            }
            Thread.sleep(5);
            stack = thread.getStackTrace();
        }
    }

    /** Whether {@code thread} is blocked in a pipekit client's OS wait now (see {@link #awaitWaitingInPipekit}). */
    static boolean isWaitingInPipekit(Thread thread) {
        return isWaitingInPipekit(thread.getStackTrace());
    }

    private static boolean isWaitingInPipekit(StackTraceElement[] stack) {
        if (stack.length == 0 || !stack[0].isNativeMethod()) {
            return false;
        }
        String top = stack[0].getClassName() + "." + stack[0].getMethodName();
        boolean osWait = top.equals("sun.nio.ch.EPoll.wait") || top.equals("sun.nio.ch.KQueue.poll")
                || top.endsWith(".Kernel32Direct.WaitForMultipleObjects");
        return osWait && java.util.Arrays.stream(stack).anyMatch(frame -> frame.getClassName().startsWith("io.pipekit.client."));
    }
}
