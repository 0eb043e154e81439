package io.pipekit.server;

import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.ptr.IntByReference;
import io.pipekit.core.windows.Kernel32Ex;
import java.util.OptionalInt;

/**
 * How many kernel handles this process holds ({@code GetProcessHandleCount}), where the OS
 * keeps that count. Wine's {@code GetProcessHandleCount} is a stub that reports 0; a live
 * process always holds handles (its threads, its console), so 0 is taken for "no count", and
 * leak checks lean on pipekit's own {@link io.pipekit.core.windows.NativeHandles} there.
 */
final class ProcessHandles {
    private ProcessHandles() {
    }

    /** The process's handle count, or empty where it is not kept. */
    static OptionalInt count() {
        int count = raw();
        return count > 0 ? OptionalInt.of(count) : OptionalInt.empty();
    }

    /** What {@code GetProcessHandleCount} reports, stub or not. */
    static int raw() {
        IntByReference count = new IntByReference();
        if (!Kernel32Ex.INSTANCE.GetProcessHandleCount(Kernel32.INSTANCE.GetCurrentProcess(), count)) {
            throw new AssertionError("GetProcessHandleCount failed");
        }
        return count.getValue();
    }
}
