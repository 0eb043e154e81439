package io.pipekit.core.transport;

import io.pipekit.core.PipeException;

/**
 * A transport's accept-and-serve loop. One thread calls {@link #open} then {@link #run};
 * all connection callbacks happen on that thread. {@link #execute} and {@link #stop} may be
 * called from any thread, at any time, before {@link #open} too.
 *
 * <p>Stopping is a state, not a message: once {@link #stop} is called, every later step sees
 * it, so a stop can never be lost to the moment it came in (before the loop had a thread to
 * wake, say) and leave a loop serving that its owner waits on to end.
 */
public interface ServerLoop {

    /** Decides what listens to each new connection. */
    interface Acceptor {
        /** A client connected; return the listener for its connection's events. */
        ServerConnection.Listener accepted(ServerConnection connection);
    }

    /**
     * Claims the name and starts listening. Fails if another server already serves it, and
     * with a {@link io.pipekit.core.PipeClosedException} if {@link #stop} came first: then it
     * claims nothing. If it fails, everything it acquired is already released, and every task
     * {@link #execute} accepted has run.
     */
    void open() throws PipeException;

    /**
     * Serves until {@link #stop()}, at once if it came before (during {@link #open} included):
     * returns only once every connection is closed, every pending I/O has completed, every
     * task {@link #execute} accepted has run and every native resource is freed.
     */
    void run() throws PipeException;

    /**
     * Runs {@code task} on the loop thread soon, waking the loop if it waits.
     *
     * @return {@code true} if the task will run, exactly once, on the loop thread: a task accepted
     *     while the loop stops still runs before {@link #run} returns (or {@link #open} fails),
     *     possibly after every connection has closed; {@code false} if it never will, because the
     *     loop is not open yet or has finished (the task is dropped, and the caller must not wait
     *     for it)
     */
    boolean execute(Runnable task);

    /** Where clients reach this server: a pipe path on Windows, a socket path on Unix. Valid after {@link #open}. */
    String endpoint();

    /**
     * Asks the loop to stop, from any thread, at any time: before {@link #open} it makes
     * {@code open} fail and claim nothing; after it, {@link #run()} returns once everything is
     * freed. Idempotent.
     */
    void stop();

    /**
     * Stops listening, from any thread, while the connections already made go on (a server
     * socket's close, which leaves the sockets it accepted open): no new client is accepted, the
     * name is let go where the transport can (a Unix socket's file and lock; a named pipe's name
     * lives while any of its instances does), and {@link #run()} returns once the last connection
     * has closed. A later {@link #stop()} closes those too. Idempotent.
     *
     * @return completes once no client can connect any more (at once if the loop has finished)
     */
    java.util.concurrent.CompletableFuture<Void> stopAccepting();

    /**
     * Runs {@code task} on {@code loop}'s thread, through {@link #execute}: the stage completes once
     * the task has run (even if it threw), or at once if the loop has finished and runs no more
     * tasks, so that a caller waiting for what the task ends never waits for a loop that is gone.
     */
    static java.util.concurrent.CompletableFuture<Void> whenRun(ServerLoop loop, Runnable task) {
        java.util.concurrent.CompletableFuture<Void> ran = new java.util.concurrent.CompletableFuture<>();
        boolean queued = loop.execute(() -> {
            try {
                task.run();
            } finally {
                ran.complete(null);
            }
        });
        if (!queued) {
            ran.complete(null); // the loop has finished: the task has nothing left to end
        }
        return ran;
    }
}
