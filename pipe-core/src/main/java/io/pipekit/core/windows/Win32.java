package io.pipekit.core.windows;

import com.sun.jna.Native;
import io.pipekit.core.PipeException;

/** Turns the calling thread's last Win32 error into a {@link PipeException}. */
public final class Win32 {
    private Win32() {
    }

    /** The last error of the native call that just failed, as an exception naming {@code operation}. */
    public static PipeException lastError(String operation) {
        return new PipeException(operation, Native.getLastError());
    }
}
