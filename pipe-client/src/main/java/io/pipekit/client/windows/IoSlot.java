package io.pipekit.client.windows;

import io.pipekit.client.internal.Interrupts;
import io.pipekit.client.internal.TimedWait;
import io.pipekit.core.Win32Errors;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinNT.HANDLE;
import com.sun.jna.ptr.IntByReference;
import io.pipekit.core.PipeClosedException;
import io.pipekit.core.PipeException;
import io.pipekit.core.PipeInterruptedException;
import io.pipekit.core.PipeTimeoutException;
import io.pipekit.core.windows.Kernel32Direct;
import io.pipekit.core.windows.Kernel32Ex;
import io.pipekit.core.windows.NativeBuffer;
import io.pipekit.core.windows.NativeHandles;
import io.pipekit.core.windows.Overlapped;
import io.pipekit.core.windows.Win32;

/**
 * One direction of a client's overlapped I/O (its calls direct-mapped: {@link Kernel32Direct}): its {@code OVERLAPPED}, the event that signals its
 * completion, its buffer. A reader and a writer each have one, so the two can be in flight at
 * once on the one handle.
 *
 * <p>A wait ends for one of three reasons: the operation completed, the connection's close
 * event was set ({@code close()} from any thread), or the time ran out. In the last two cases the
 * operation is cancelled ({@code CancelIoEx}) and waited for, so that the OVERLAPPED and the
 * buffer are free again before the call returns: the kernel never writes into memory pipekit
 * has freed or reused.
 */
final class IoSlot {
    private static final Kernel32 K = Kernel32.INSTANCE;

    final Overlapped overlapped = new Overlapped();
    final NativeBuffer buffer;
    /** Bytes the last operation moved. Reused: a JNA IntByReference is native memory. */
    final IntByReference transferred = new IntByReference();
    private final HANDLE event;
    /** {event, close event}: the array WaitForMultipleObjects reads, kept for the slot's life. */
    private final NativeBuffer waitHandles = new NativeBuffer(2 * Native.POINTER_SIZE);
    /** {@link #waitMillis}, made once: a stream waits thousands of times. */
    private final TimedWait.Wait wait = this::waitMillis;
    /** Closes the connection when a thread waiting here is interrupted: the close event ends the wait. */
    private final Interrupts interrupts;

    IoSlot(int bufferSize, HANDLE closeEvent, Interrupts interrupts) throws PipeException {
        this.interrupts = interrupts;
        event = NativeHandles.opened(K.CreateEvent(null, true, false, null));
        if (event == null) {
            overlapped.free();
            throw Win32.lastError("CreateEvent");
        }
        buffer = new NativeBuffer(bufferSize);
        waitHandles.pointer().setPointer(0, event.getPointer());
        waitHandles.pointer().setPointer(Native.POINTER_SIZE, closeEvent.getPointer());
    }

    /** The OVERLAPPED, zeroed and tied to this slot's event, for the next operation. */
    Pointer start() {
        overlapped.reset(event);
        return overlapped.pointer();
    }

    /**
     * Completes the operation just started on {@code file}: {@code started} and {@code error}
     * are what the starting call returned and {@code GetLastError} said. Returns the operation's
     * own outcome, 0 or its Win32 error ({@code ERROR_MORE_DATA} included); the byte count is in
     * {@link #transferred} (after a time-out too: what went through before the cancel).
     *
     * @throws PipeInterruptedException if the thread was interrupted while it waited: the
     *     connection is closed (and the operation cancelled and waited for), the flag stays set
     * @throws PipeClosedException if the connection was closed meanwhile
     * @throws PipeTimeoutException if {@code timeoutMillis} after {@code startNanos} passed first
     *     (negative: no limit); never before, though Windows may end a timed wait a tick early
     */
    int complete(HANDLE file, boolean started, int error, long startNanos, long timeoutMillis, String operation) throws PipeException {
        if (!started && error != Win32Errors.ERROR_IO_PENDING) {
            // Done at once: either finished (ERROR_MORE_DATA: part of a message) or failed.
            if (error != Win32Errors.ERROR_MORE_DATA) {
                return error;
            }
        } else if (!started) {
            int woke;
            boolean interrupted;
            interrupts.beginWait();
            try {
                woke = TimedWait.await(wait, Win32Errors.WAIT_TIMEOUT, System::nanoTime, startNanos, timeoutMillis);
            } finally {
                interrupted = interrupts.endWait();
            }
            if (woke != Kernel32Ex.WAIT_OBJECT_0) {
                return cancel(file, woke, interrupted, timeoutMillis, operation);
            }
            if (interrupted) {
                // It completed as the interrupt came; the interrupt closed the connection all the same.
                throw Interrupts.interrupted(operation, "the connection is closed", null);
            }
        }
        return Kernel32Direct.GetOverlappedResult(file.getPointer(), overlapped.pointer(), transferred.getPointer(), false)
                ? 0 : Native.getLastError();
    }

    /** One wait for the operation's event or the close event. */
    private int waitMillis(long millis) {
        return Kernel32Direct.WaitForMultipleObjects(2, waitHandles.pointer(), false,
                millis < 0 ? Kernel32Ex.INFINITE : (int) Math.min(millis, Integer.MAX_VALUE - 1));
    }

    /** The wait ended for another reason than completion: cancel, wait for it, and say why. */
    private int cancel(HANDLE file, int woke, boolean interrupted, long timeoutMillis, String operation) throws PipeException {
        int waitError = woke == Kernel32Ex.WAIT_FAILED ? Native.getLastError() : 0;
        Kernel32Direct.CancelIoEx(file.getPointer(), overlapped.pointer());
        boolean done = Kernel32Direct.GetOverlappedResult(file.getPointer(), overlapped.pointer(), transferred.getPointer(), true);
        int outcome = done ? 0 : Native.getLastError();
        if (interrupted) {
            throw Interrupts.interrupted(operation, "the connection is closed", null);
        }
        if (woke == Kernel32Ex.WAIT_OBJECT_0 + 1) {
            throw new PipeClosedException(operation, PipeException.NO_CODE, "the connection was closed");
        }
        if (outcome != Win32Errors.ERROR_OPERATION_ABORTED) {
            return outcome; // it completed before the cancel reached it: a result like any other
        }
        if (woke == Win32Errors.WAIT_TIMEOUT) {
            throw new PipeTimeoutException(operation, PipeException.NO_CODE, "nothing within " + timeoutMillis + " ms");
        }
        throw Win32.exception("WaitForMultipleObjects", waitError, null);
    }

    /** Frees the slot; only once no operation of it is pending. */
    void free() {
        NativeHandles.close(event);
        overlapped.free();
        buffer.free();
        waitHandles.free();
    }
}
