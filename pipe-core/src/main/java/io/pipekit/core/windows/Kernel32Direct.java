package io.pipekit.core.windows;

import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The kernel32 calls a client makes for every read and write, bound with JNA's direct mapping
 * ({@code Native.register}) rather than the interface mapping of {@link Kernel32Ex}. An
 * interface-mapped call goes through a proxy that builds an argument array and boxes every
 * {@code int} and {@code boolean}: a few hundred bytes of garbage per call, which a stream
 * copying 64 KiB at a time would make per chunk. A direct call allocates nothing.
 *
 * <p>Handles, buffers, OVERLAPPEDs and byte counts are passed as the {@link Pointer}s pipekit
 * already holds for them. JNA keeps the last error of every call for {@link Native#getLastError()},
 * as with interface mapping. Loading this class binds kernel32, so only Windows code may touch it.
 */
public final class Kernel32Direct {
    static {
        Native.register("kernel32");
    }

    private Kernel32Direct() {
    }

    public static native boolean ReadFile(Pointer file, Pointer buffer, int bytesToRead, Pointer bytesRead, Pointer overlapped);

    public static native boolean WriteFile(Pointer file, Pointer buffer, int bytesToWrite, Pointer bytesWritten, Pointer overlapped);

    public static native boolean GetOverlappedResult(Pointer file, Pointer overlapped, Pointer bytesTransferred, boolean wait);

    /** With the handle array in memory the caller keeps: jna-platform's {@code HANDLE[]} form would marshal a new one per call. */
    public static native int WaitForMultipleObjects(int count, Pointer handles, boolean waitAll, int milliseconds);

    public static native boolean CancelIoEx(Pointer file, Pointer overlapped);
}
