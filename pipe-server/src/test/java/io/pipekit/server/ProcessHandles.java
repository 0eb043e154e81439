package io.pipekit.server;

import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.ptr.IntByReference;
import io.pipekit.core.windows.Kernel32Ex;

/** How many kernel handles this process holds ({@code GetProcessHandleCount}). */
final class ProcessHandles {
    private ProcessHandles() {
    }

    static int count() {
        IntByReference count = new IntByReference();
        if (!Kernel32Ex.INSTANCE.GetProcessHandleCount(Kernel32.INSTANCE.GetCurrentProcess(), count)) {
            throw new AssertionError("GetProcessHandleCount failed");
        }
        return count.getValue();
    }
}
