package io.pipekit.core.windows;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.win32.StdCallLibrary;

/**
 * The kernel32 calls made for every message, by the client and by the server loop, bound with
 * JNA's direct mapping ({@code Native.register}) rather than the interface mapping of
 * {@link Kernel32Ex}. An interface-mapped call goes through a proxy that builds an argument
 * array and boxes every {@code int} and {@code boolean}: a few hundred bytes of garbage per call,
 * and a deep reflective call path that the JIT compiles for seconds. A direct call allocates
 * nothing.
 *
 * <p>The completion routine and the APC are direct callbacks too: passed to a direct-mapped
 * function, JNA calls them with their primitive arguments as they are, where an interface-mapped
 * callback goes through a proxy that boxes each argument into an array and wraps the
 * {@code OVERLAPPED} address in a new {@code Pointer}. So their address arguments are
 * {@code long}s (pipekit's Windows code is 64-bit only, as the Windows JDKs it runs on).
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

    /**
     * An I/O completion routine ({@code LPOVERLAPPED_COMPLETION_ROUTINE}). Queued as an APC to
     * the thread that started the I/O; runs when that thread waits alertably.
     */
    public interface IoCompletion extends StdCallLibrary.StdCallCallback {
        void invoke(int errorCode, int bytesTransferred, long overlapped);
    }

    /** An asynchronous procedure call ({@code PAPCFUNC}). */
    public interface Apc extends StdCallLibrary.StdCallCallback {
        void invoke(long parameter);
    }

    /** <a href="https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-readfileex">ReadFileEx</a> */
    public static native boolean ReadFileEx(Pointer file, Pointer buffer, int bytesToRead, Pointer overlapped, IoCompletion routine);

    /** <a href="https://learn.microsoft.com/windows/win32/api/fileapi/nf-fileapi-writefileex">WriteFileEx</a> */
    public static native boolean WriteFileEx(Pointer file, Pointer buffer, int bytesToWrite, Pointer overlapped, IoCompletion routine);

    /**
     * <a href="https://learn.microsoft.com/windows/win32/api/namedpipeapi/nf-namedpipeapi-peeknamedpipe">PeekNamedPipe</a>,
     * with the counts in memory the caller keeps (jna-platform's form allocates them per call).
     */
    public static native boolean PeekNamedPipe(Pointer pipe, Pointer buffer, int bufferSize, Pointer bytesRead, Pointer totalBytesAvail,
            Pointer bytesLeftThisMessage);

    /** <a href="https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-waitforsingleobjectex">WaitForSingleObjectEx</a> */
    public static native int WaitForSingleObjectEx(Pointer handle, int milliseconds, boolean alertable);

    /**
     * <a href="https://learn.microsoft.com/windows/win32/api/synchapi/nf-synchapi-waitformultipleobjectsex">WaitForMultipleObjectsEx</a>,
     * with the handle array in memory the caller keeps.
     */
    public static native int WaitForMultipleObjectsEx(int count, Pointer handles, boolean waitAll, int milliseconds, boolean alertable);

    /** <a href="https://learn.microsoft.com/windows/win32/api/processthreadsapi/nf-processthreadsapi-queueuserapc">QueueUserAPC</a> */
    public static native int QueueUserAPC(Apc routine, Pointer thread, long parameter);
}
