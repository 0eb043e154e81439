package io.pipekit.server.windows;

import com.sun.jna.Native;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinNT.HANDLE;
import io.pipekit.core.PipeException;
import io.pipekit.core.windows.Kernel32Direct;
import io.pipekit.core.windows.NativeBuffer;
import io.pipekit.core.windows.NativeHandles;
import io.pipekit.core.windows.Overlapped;
import io.pipekit.core.windows.Win32;

/**
 * The second event of a completion-routine loop: the manual-reset event in the
 * {@code OVERLAPPED} of every operation issued without a routine (a {@code WriteFile} that
 * usually completes at once). While such an operation is in flight the loop waits on it beside
 * its connect event; the loop finds the operation that ended by its {@code OVERLAPPED}'s status.
 * Made once per loop, with the wait's handle array and {@code GetOverlappedResult}'s count, so
 * that no wait and no completion allocates. Loop thread only.
 */
public final class IoEvent {
    private static final Kernel32 K = Kernel32.INSTANCE;

    private final HANDLE connectEvent;
    private final HANDLE event;
    private final NativeBuffer waitHandles; // connectEvent, event: WaitForMultipleObjectsEx's array
    private final NativeBuffer resultBytes;

    private IoEvent(HANDLE connectEvent, HANDLE event) {
        this.connectEvent = connectEvent;
        this.event = event;
        this.waitHandles = new NativeBuffer(2 * Native.POINTER_SIZE);
        waitHandles.pointer().setPointer(0, connectEvent.getPointer());
        waitHandles.pointer().setPointer(Native.POINTER_SIZE, event.getPointer());
        this.resultBytes = new NativeBuffer(4);
    }

    /** Creates the event, to be waited on beside {@code connectEvent}, which the caller owns. */
    public static IoEvent open(HANDLE connectEvent) throws PipeException {
        HANDLE event = NativeHandles.opened(K.CreateEvent(null, true, false, null));
        if (event == null) {
            throw Win32.lastError("CreateEvent");
        }
        return new IoEvent(connectEvent, event);
    }

    /** The event to put in an operation's {@code OVERLAPPED}. */
    public HANDLE handle() {
        return event;
    }

    /**
     * The loop's alertable wait: on the connect event alone, or, with {@code inFlight}, on both
     * ({@code WAIT_OBJECT_0 + 1}: this event). Returns what the wait returned.
     */
    public int waitAlertably(boolean inFlight, int timeout) {
        return inFlight
                ? Kernel32Direct.WaitForMultipleObjectsEx(2, waitHandles.pointer(), false, timeout, true)
                : Kernel32Direct.WaitForSingleObjectEx(connectEvent.getPointer(), timeout, true);
    }

    /** The call {@link #waitAlertably} made, for its error. */
    public static String waitName(boolean inFlight) {
        return inFlight ? "WaitForMultipleObjectsEx" : "WaitForSingleObjectEx";
    }

    /** Resets the event: before looking at the operations in flight, so that one ending meanwhile signals again. */
    public void reset() {
        K.ResetEvent(event);
    }

    /** The Win32 error of a completed operation on {@code file}, or 0: what its completion routine would have been given. */
    public int errorOf(HANDLE file, Overlapped overlapped) {
        return overlapped.status() == 0 || Kernel32Direct.GetOverlappedResult(file.getPointer(), overlapped.pointer(), resultBytes.pointer(), false)
                ? 0 : Native.getLastError();
    }

    /** Closes the event and frees the memory; only once no operation with it is in flight. */
    public void close() {
        NativeHandles.close(event);
        waitHandles.free();
        resultBytes.free();
    }
}
