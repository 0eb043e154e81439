package io.pipekit.core.windows;

import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinNT.HANDLE;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the kernel handles pipekit opens and closes, as {@link NativeAllocations} counts its
 * native memory. Every {@code CreateNamedPipe}, {@code CreateEvent}, {@code OpenThread},
 * {@code CreateFile} and {@code OpenProcessToken} of pipekit's goes through {@link #opened},
 * every {@code CloseHandle} through {@link #close}.
 *
 * <p>Why pipekit keeps its own count: the process-wide {@code GetProcessHandleCount} is a stub
 * under Wine that reports 0, so a leak check built on it alone passes whatever leaks; and on
 * Windows it also counts the JVM's own handles (threads, files), which come and go. This count
 * moves only with pipekit's handles, on both.
 */
public final class NativeHandles {
    // One counter, not opened - closed: two reads could straddle a close made meanwhile on another thread.
    private static final AtomicLong LIVE = new AtomicLong();

    private NativeHandles() {
    }

    /**
     * Counts in a handle a Win32 call just returned, and returns it. A failed call's result
     * ({@code null} or {@code INVALID_HANDLE_VALUE}) is returned as it is and not counted, so
     * the caller checks for failure as it would without this.
     */
    public static HANDLE opened(HANDLE handle) {
        if (isValid(handle)) {
            LIVE.incrementAndGet();
        }
        return handle;
    }

    /** Closes a handle that {@link #opened} counted in, and counts it out. */
    public static boolean close(HANDLE handle) {
        boolean closed = Kernel32.INSTANCE.CloseHandle(handle);
        if (closed) {
            LIVE.decrementAndGet();
        }
        return closed;
    }

    /** How many handles pipekit has opened and not yet closed. */
    public static long liveCount() {
        return LIVE.get();
    }

    private static boolean isValid(HANDLE handle) {
        return handle != null && handle.getPointer() != null && !WinBase.INVALID_HANDLE_VALUE.equals(handle);
    }
}
