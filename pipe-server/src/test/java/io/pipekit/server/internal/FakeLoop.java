package io.pipekit.server.internal;

import io.pipekit.core.transport.ServerLoop;
import java.util.ArrayDeque;

/**
 * A server loop that runs nothing by itself: tasks given to {@link #execute} wait until the test
 * runs them with {@link #runTasks()}, so a test decides exactly when the loop thread gets to them.
 * Like the real loops, it catches what a task throws (here: keeps it for the test) and goes on.
 * Thread-safe, since the code under test may execute from any thread.
 */
final class FakeLoop implements ServerLoop {
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private final java.util.List<RuntimeException> failures = new java.util.ArrayList<>();

    @Override
    public void open() {
    }

    @Override
    public void run() {
    }

    @Override
    public synchronized boolean execute(Runnable task) {
        tasks.add(task);
        return true;
    }

    /** How many tasks wait. */
    synchronized int waiting() {
        return tasks.size();
    }

    /** Runs every task waiting, and those they give in turn, on the calling thread (the test's "loop thread"). */
    void runTasks() {
        while (true) {
            Runnable task;
            synchronized (this) {
                task = tasks.poll();
            }
            if (task == null) {
                return;
            }
            try {
                task.run();
            } catch (RuntimeException e) {
                failures.add(e); // as the real loops do: a failing task is logged, and the loop goes on
            }
        }
    }

    /** What tasks threw. */
    synchronized java.util.List<RuntimeException> failures() {
        return java.util.List.copyOf(failures);
    }

    @Override
    public String endpoint() {
        return "fake";
    }

    @Override
    public void stop() {
    }

    @Override
    public java.util.concurrent.CompletableFuture<Void> stopAccepting() {
        return java.util.concurrent.CompletableFuture.completedFuture(null);
    }
}
