package io.pipekit.server.windows;

import com.sun.jna.Native;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinNT.HANDLE;
import com.sun.jna.ptr.IntByReference;
import io.pipekit.core.Win32Errors;
import io.pipekit.core.windows.Kernel32Ex;
import io.pipekit.core.windows.Overlapped;

/**
 * The listening part of a pipe instance: its handle's overlapped {@code ConnectNamedPipe} (the
 * sample's {@code ConnectToNewClient}) on a manual-reset event that every listening instance of a
 * loop shares, and the outcome of that connect.
 *
 * <p>Its {@code OVERLAPPED} belongs to the kernel while the connect is pending: {@link #free()}
 * only once {@link #connectOutcomeReady()} holds (after a {@link #cancelConnect()}, the outcome
 * still comes, through the event). The handle is not this object's to close.
 *
 * <p>Shared by the server's {@link PipeInstance} and pipe-netty's server channel.
 */
public final class ListeningInstance {
    private static final Kernel32 K = Kernel32.INSTANCE;
    private static final Kernel32Ex KX = Kernel32Ex.INSTANCE;

    private final HANDLE handle;
    private final Overlapped connectOverlapped = new Overlapped();
    private boolean connectedEarly;

    /** The listening part of the instance on {@code handle}. */
    public ListeningInstance(HANDLE handle) {
        this.handle = handle;
    }

    /** The pipe instance's handle. */
    public HANDLE handle() {
        return handle;
    }

    /**
     * Starts an overlapped {@code ConnectNamedPipe} (the sample's {@code ConnectToNewClient}).
     * Returns 0 when the instance listens (or already has its client), else the Win32 error
     * that stopped it; the instance must then be released.
     */
    public int listen(HANDLE connectEvent) {
        int error = Win32Errors.ERROR_NO_DATA;
        for (int attempt = 0; attempt < 3 && error == Win32Errors.ERROR_NO_DATA; attempt++) {
            connectOverlapped.reset(connectEvent);
            if (KX.ConnectNamedPipe(handle, connectOverlapped.pointer())) {
                connectedEarly = true; // documented never to happen overlapped; treat it as connected
                K.SetEvent(connectEvent);
                return 0;
            }
            error = Native.getLastError();
            switch (error) {
                case Win32Errors.ERROR_IO_PENDING:
                    return 0;
                case Win32Errors.ERROR_PIPE_CONNECTED:
                    // The client came between CreateNamedPipe and ConnectNamedPipe: connected, but the
                    // event will not be signalled for it, so signal it ourselves as the sample does.
                    connectedEarly = true;
                    K.SetEvent(connectEvent);
                    return 0;
                case Win32Errors.ERROR_NO_DATA:
                    // A client came and already left: no connection to serve. Make the instance
                    // listen again rather than hand out a dead "connection".
                    K.DisconnectNamedPipe(handle);
                    break;
                default:
                    break;
            }
        }
        return error;
    }

    /** Whether the pending connect has an outcome for the loop to collect. */
    public boolean connectOutcomeReady() {
        return connectedEarly || connectOverlapped.completed();
    }

    /**
     * The outcome of the connect: 0 when a client is connected, else the Win32 error
     * ({@code ERROR_OPERATION_ABORTED} after a cancel, {@code ERROR_NO_DATA} for a client that
     * already left).
     */
    public int connectResult() {
        if (connectedEarly) {
            return 0;
        }
        IntByReference ignored = new IntByReference();
        return KX.GetOverlappedResult(handle, connectOverlapped.pointer(), ignored, false) ? 0 : Native.getLastError();
    }

    /** Cancels a pending connect; its outcome then arrives through the connect event. */
    public void cancelConnect() {
        if (!connectedEarly) {
            KX.CancelIoEx(handle, connectOverlapped.pointer());
        }
    }

    /** Frees the {@code OVERLAPPED}: only once no connect is pending on it. Idempotent. */
    public void free() {
        connectOverlapped.free();
    }
}
