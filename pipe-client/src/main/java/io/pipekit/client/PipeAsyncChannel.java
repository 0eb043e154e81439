package io.pipekit.client;

import io.pipekit.core.PipeClosedException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousByteChannel;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.CompletionHandler;
import java.nio.channels.ReadPendingException;
import java.nio.channels.WritePendingException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A client's pipe as an {@link AsynchronousByteChannel}: {@link PipeClient#asyncChannel()}. Each
 * direction has one thread of its own, made on first use, that runs the blocking read or write
 * of {@link PipeByteChannel} and then the completion handler; as the interface requires, one read
 * and one write may be outstanding at a time. Closing it (or the client) ends a pending operation
 * with an {@link AsynchronousCloseException}, and stops the threads.
 */
final class PipeAsyncChannel implements AsynchronousByteChannel {
    private final PipeClient client;
    private final PipeByteChannel channel;
    private final AtomicBoolean reading = new AtomicBoolean();
    private final AtomicBoolean writing = new AtomicBoolean();
    private final Object lifecycle = new Object();
    private ExecutorService readThread;
    private ExecutorService writeThread;
    /** Runs between choosing an operation's thread and handing it the task: a test's seam for a close that comes there. */
    Runnable beforeExecute = () -> { };

    PipeAsyncChannel(PipeClient client, PipeByteChannel channel) {
        this.client = client;
        this.channel = channel;
    }

    @Override
    public <A> void read(ByteBuffer into, A attachment, CompletionHandler<Integer, ? super A> handler) {
        if (!reading.compareAndSet(false, true)) {
            throw new ReadPendingException();
        }
        run(true, reading, () -> channel.read(into), attachment, handler);
    }

    @Override
    public Future<Integer> read(ByteBuffer into) {
        CompletableFuture<Integer> result = new CompletableFuture<>();
        read(into, null, completing(result));
        return result;
    }

    @Override
    public <A> void write(ByteBuffer from, A attachment, CompletionHandler<Integer, ? super A> handler) {
        if (!writing.compareAndSet(false, true)) {
            throw new WritePendingException();
        }
        run(false, writing, () -> channel.write(from), attachment, handler);
    }

    @Override
    public Future<Integer> write(ByteBuffer from) {
        CompletableFuture<Integer> result = new CompletableFuture<>();
        write(from, null, completing(result));
        return result;
    }

    private interface Operation {
        int run() throws Exception;
    }

    private <A> void run(boolean read, AtomicBoolean pending, Operation operation, A attachment,
            CompletionHandler<Integer, ? super A> handler) {
        Throwable refused;
        // Under the lifecycle lock, which shutDown() takes too: a close cannot shut the executor
        // down between choosing it and handing it the task; and if it was shut down all the same,
        // the handler is told, never the caller, and the operation is no longer pending.
        synchronized (lifecycle) {
            try {
                ExecutorService thread = thread(read);
                beforeExecute.run();
                thread.execute(() -> {
                    int count;
                    try {
                        count = operation.run();
                    } catch (Throwable t) {
                        pending.set(false);
                        handler.failed(client.isOpen() ? t : closedFailure(t), attachment);
                        return;
                    }
                    pending.set(false); // before the handler: it may start the next operation
                    handler.completed(count, attachment);
                });
                return;
            } catch (PipeClosedException | RejectedExecutionException closed) {
                refused = closed;
            }
        }
        pending.set(false);
        handler.failed(closedFailure(refused), attachment);
    }

    private ExecutorService thread(boolean read) throws PipeClosedException {
        synchronized (lifecycle) {
            if (!client.isOpen()) {
                throw new PipeClosedException((read ? "read" : "write") + " on " + client.name(),
                        PipeClosedException.NO_CODE, "the connection is closed");
            }
            if (read) {
                return readThread != null ? readThread : (readThread = newThread("read"));
            }
            return writeThread != null ? writeThread : (writeThread = newThread("write"));
        }
    }

    private ExecutorService newThread(String direction) {
        return Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "pipekit async " + direction + " " + client.name().name());
            thread.setDaemon(true); // an idle channel must not keep the JVM alive
            return thread;
        });
    }

    /** What a pending operation ends with once the channel is closed: the interface's own exception. */
    private static Throwable closedFailure(Throwable cause) {
        AsynchronousCloseException closed = new AsynchronousCloseException();
        closed.initCause(cause);
        return closed;
    }

    private static CompletionHandler<Integer, Object> completing(CompletableFuture<Integer> result) {
        return new CompletionHandler<>() {
            @Override
            public void completed(Integer count, Object attachment) {
                result.complete(count);
            }

            @Override
            public void failed(Throwable failure, Object attachment) {
                result.completeExceptionally(failure);
            }
        };
    }

    @Override
    public boolean isOpen() {
        return client.isOpen();
    }

    /** Closes the client: a pending read or write ends with an AsynchronousCloseException. */
    @Override
    public void close() {
        client.close(); // which shuts the threads down
    }

    /** Called by the client's close: the threads finish the pending operation's handler, then end. */
    void shutDown() {
        synchronized (lifecycle) {
            if (readThread != null) {
                readThread.shutdown();
            }
            if (writeThread != null) {
                writeThread.shutdown();
            }
        }
    }
}
