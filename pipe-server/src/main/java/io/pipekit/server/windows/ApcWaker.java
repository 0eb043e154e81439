package io.pipekit.server.windows;

import com.sun.jna.Native;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinNT.HANDLE;
import io.pipekit.core.PipeException;
import io.pipekit.core.windows.Kernel32Direct;
import io.pipekit.core.windows.Kernel32Ex;
import io.pipekit.core.windows.NativeHandles;
import io.pipekit.core.windows.Win32;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How other threads wake a loop thread that waits alertably: one {@code QueueUserAPC} to it,
 * which makes its wait return after running the APC. At most one APC is queued at a time: while
 * one is queued and has not run yet, another thread's wake finds the flag set and queues none,
 * since the one queued wakes the loop anyway.
 *
 * <p>The thread handle is opened by the loop thread itself ({@link #open()}) and closed by it
 * ({@link #close()}); both, and every queueing, hold one lock, so that no thread queues an APC
 * to a handle being closed. The APC callback is a field, so that JNA's native stub lives as long
 * as this waker: the kernel may call it until the thread has run it.
 *
 * <p>Shared by the server's {@link CompletionRoutineLoop} and pipe-netty's event loop.
 */
public final class ApcWaker {
    private static final System.Logger LOG = System.getLogger("io.pipekit.server");
    private static final Kernel32 K = Kernel32.INSTANCE;

    private final Runnable onApc;
    private final AtomicBoolean queued = new AtomicBoolean();
    private final Object lock = new Object();
    private volatile HANDLE thread; // written under lock; null before open and after close
    private final Kernel32Direct.Apc apc = parameter -> ran();

    /** {@code onApc} runs on the loop thread, inside its alertable wait, each time a queued APC runs. */
    public ApcWaker(Runnable onApc) {
        this.onApc = onApc;
    }

    /** Opens the calling thread, the loop's, as the target of the APCs. */
    public void open() throws PipeException {
        HANDLE opened = NativeHandles.opened(K.OpenThread(Kernel32Ex.THREAD_SET_CONTEXT, false, K.GetCurrentThreadId()));
        if (opened == null) {
            throw Win32.lastError("OpenThread");
        }
        synchronized (lock) {
            thread = opened;
        }
    }

    /** Whether the thread is open to APCs: exact on the loop thread, which alone opens and closes it. */
    public boolean isOpen() {
        return thread != null;
    }

    /**
     * Runs {@code enqueue} and wakes the loop, under the lock that {@link #close()} takes, so that
     * whatever {@code enqueue} adds is seen by a loop that is still open. Returns {@code false},
     * having run nothing, when the waker is not open; and {@code false}, after running {@code
     * undo}, when {@code QueueUserAPC} failed.
     */
    public boolean enqueueAndWake(Runnable enqueue, Runnable undo) {
        synchronized (lock) {
            if (thread == null) {
                return false;
            }
            enqueue.run();
            if (queued.compareAndSet(false, true) && Kernel32Direct.QueueUserAPC(apc, thread.getPointer(), 0) == 0) {
                queued.set(false);
                undo.run();
                LOG.log(Level.ERROR, "QueueUserAPC failed with Win32 error " + Native.getLastError());
                return false;
            }
            return true;
        }
    }

    /** Wakes the loop if it is open and no APC is queued yet; {@code false} if it is closed or the call failed. */
    public boolean wake() {
        return enqueueAndWake(() -> { }, () -> { });
    }

    private void ran() {
        queued.set(false); // first: a wake from here on queues a new APC, so none is lost
        onApc.run();
    }

    /**
     * Closes the thread handle: from here {@link #enqueueAndWake} refuses. An APC queued before
     * still runs at the thread's next alertable wait, if there is one; its callback stays
     * reachable through this object. Idempotent.
     */
    public void close() {
        synchronized (lock) {
            if (thread != null) {
                NativeHandles.close(thread);
                thread = null;
            }
        }
    }
}
