package io.pipekit.netty.windows;

import io.netty.channel.EventLoop;
import io.netty.channel.MultithreadEventLoopGroup;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Netty event loops for named pipes on Windows: {@link PipeEventLoop}s, each one thread that
 * waits alertably and runs every completion routine of the pipes registered on it. One loop
 * serves any number of pipes, which is pipekit's point; the default is one.
 */
public final class PipeEventLoopGroup extends MultithreadEventLoopGroup {
    private static final AtomicInteger THREADS = new AtomicInteger();

    /** One loop. */
    public PipeEventLoopGroup() {
        this(1);
    }

    /** {@code threads} loops, threads named {@code pipekit-netty <n>}. */
    public PipeEventLoopGroup(int threads) {
        super(requirePositive(threads), threadFactory());
    }

    private static int requirePositive(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        return threads;
    }

    private static ThreadFactory threadFactory() {
        // A FastThreadLocalThread, as Netty's own factory makes: Netty's thread-locals are fast on it.
        return task -> new FastThreadLocalThread(task, "pipekit-netty " + THREADS.incrementAndGet());
    }

    @Override
    protected EventLoop newChild(Executor executor, Object... args) {
        return new PipeEventLoop(this, executor);
    }
}
