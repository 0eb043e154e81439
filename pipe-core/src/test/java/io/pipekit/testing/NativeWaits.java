package io.pipekit.testing;

import java.time.Duration;
import java.util.Arrays;

/**
 * Whether a thread is blocked in the OS wait of a pipekit client call, for tests that must act
 * while a call waits rather than sleep for "it waits by now". The thread's state cannot tell:
 * a thread in a native wait is RUNNABLE to the JVM. Its stack can: the innermost frame is the
 * native wait (epoll on Linux, kqueue on macOS, WaitForMultipleObjects on Windows) and a pipekit
 * client frame is below it.
 */
public final class NativeWaits {
    private NativeWaits() {
    }

    /** Waits until {@code thread} is blocked in a pipekit client's OS wait; fails if not within {@code timeout}. */
    public static void awaitWaitingInPipekit(Thread thread, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        StackTraceElement[] stack = thread.getStackTrace();
        while (!isWaitingInPipekit(stack)) {
            if (System.nanoTime() - deadline > 0 || !thread.isAlive()) {
                throw new AssertionError("not blocked in a pipekit client's wait within " + timeout + "; "
                        + thread.getName() + " is " + thread.getState() + " at " + Arrays.toString(stack));
            }
            Thread.sleep(5);
            stack = thread.getStackTrace();
        }
    }

    /**
     * Waits until {@code thread}, in a pipekit client's connect, waits before its next attempt: the
     * pause while no pipe exists, or WaitNamedPipe while every instance is busy. Fails if not
     * within {@code timeout}.
     */
    public static void awaitWaitingToConnect(Thread thread, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Arrays.stream(thread.getStackTrace()).anyMatch(frame -> frame.getMethodName().equals("pauseBeforeRetry")
                || frame.getMethodName().equals("WaitNamedPipe"))) {
            if (System.nanoTime() - deadline > 0 || !thread.isAlive()) {
                throw new AssertionError("not waiting to connect within " + timeout + "; " + thread.getName() + " is "
                        + thread.getState() + " at " + Arrays.toString(thread.getStackTrace()));
            }
            Thread.sleep(1);
        }
    }

    /** Whether {@code thread} is blocked in a pipekit client's OS wait now. */
    public static boolean isWaitingInPipekit(Thread thread) {
        return isWaitingInPipekit(thread.getStackTrace());
    }

    private static boolean isWaitingInPipekit(StackTraceElement[] stack) {
        if (stack.length == 0 || !stack[0].isNativeMethod()) {
            return false;
        }
        String top = stack[0].getClassName() + "." + stack[0].getMethodName();
        boolean osWait = top.equals("sun.nio.ch.EPoll.wait") || top.equals("sun.nio.ch.KQueue.poll")
                || top.endsWith(".Kernel32Direct.WaitForMultipleObjects");
        return osWait && Arrays.stream(stack).anyMatch(frame -> frame.getClassName().startsWith("io.pipekit.client."));
    }
}
