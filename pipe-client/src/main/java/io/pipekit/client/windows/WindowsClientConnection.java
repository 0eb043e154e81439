package io.pipekit.client.windows;

import com.sun.jna.Native;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinNT.HANDLE;
import com.sun.jna.ptr.IntByReference;
import io.pipekit.client.internal.ConnectDeadline;
import io.pipekit.core.PipeException;
import io.pipekit.core.transport.ClientConfig;
import io.pipekit.core.transport.ClientConnection;
import io.pipekit.core.windows.Kernel32Ex;
import io.pipekit.core.windows.MessageAssembler;
import io.pipekit.core.windows.NativeBuffer;
import io.pipekit.core.windows.NativeHandles;
import io.pipekit.core.windows.Win32;
import io.pipekit.core.NoSuchPipeException;
import io.pipekit.core.PipeBusyException;
import io.pipekit.core.PipeClosedException;

/**
 * The client end of a Windows named pipe in message read mode, with blocking I/O through
 * native buffers the connection owns (a Java array handed to {@code ReadFile} would be
 * copied on every call, and is only valid during it).
 *
 * <p>Connecting follows Microsoft's client sample: {@code CreateFile}; on
 * {@code ERROR_PIPE_BUSY}, {@code WaitNamedPipe} and try again; then
 * {@code SetNamedPipeHandleState(PIPE_READMODE_MESSAGE)}. It retries until the deadline, also
 * while the pipe does not exist yet (a client started just before its server), and then says
 * which of the two it met: no such pipe, or every instance busy.
 */
public final class WindowsClientConnection implements ClientConnection {
    private static final Kernel32 K = Kernel32.INSTANCE;
    private static final Kernel32Ex KX = Kernel32Ex.INSTANCE;
    private static final int READ_CHUNK = 64 * 1024;

    private final HANDLE handle;
    private final String path;
    private final NativeBuffer readBuffer = new NativeBuffer(READ_CHUNK);
    private final NativeBuffer writeBuffer = new NativeBuffer(4096);
    private final MessageAssembler assembler;
    // Reused: a JNA IntByReference is native memory, and a round trip should allocate none.
    private final IntByReference transferred = new IntByReference();
    private boolean closed;

    private WindowsClientConnection(HANDLE handle, String path, int maxMessageSize) {
        this.handle = handle;
        this.path = path;
        this.assembler = new MessageAssembler(maxMessageSize);
    }

    /** Connects as described in the class comment. */
    public static WindowsClientConnection connect(ClientConfig config) throws PipeException {
        String path = config.name().path();
        int access = config.readOnly() ? Kernel32.GENERIC_READ | Kernel32Ex.FILE_WRITE_ATTRIBUTES // needed to set message read mode
                : Kernel32.GENERIC_READ | Kernel32.GENERIC_WRITE;
        // Without SECURITY_SQOS_PRESENT the server could impersonate this client; by default it may only identify it.
        int flags = Kernel32Ex.SECURITY_SQOS_PRESENT
                | (config.allowImpersonation() ? Kernel32Ex.SECURITY_IMPERSONATION : Kernel32Ex.SECURITY_IDENTIFICATION);
        ConnectDeadline deadline = new ConnectDeadline(config.connectTimeout());
        boolean sawBusy = false;
        while (true) {
            HANDLE handle = NativeHandles.opened(K.CreateFile(path, access, 0, null, Kernel32.OPEN_EXISTING, flags, null));
            if (!WinBase.INVALID_HANDLE_VALUE.equals(handle)) {
                IntByReference mode = new IntByReference(Kernel32Ex.PIPE_READMODE_MESSAGE);
                if (!K.SetNamedPipeHandleState(handle, mode, null, null)) {
                    PipeException e = Win32.lastError("SetNamedPipeHandleState " + path);
                    NativeHandles.close(handle);
                    throw e;
                }
                return new WindowsClientConnection(handle, path, config.maxMessageSize());
            }
            int error = Native.getLastError();
            if (error == Kernel32Ex.ERROR_PIPE_BUSY) {
                sawBusy = true;
                if (deadline.expired()) {
                    throw timedOut(path, config);
                }
                // ERROR_SEM_TIMEOUT may come a timer tick before the deadline, and ERROR_FILE_NOT_FOUND
                // means the server went away meanwhile: either way, try again until the deadline.
                // Never 0 here: to WaitNamedPipe that means the server's default wait (NMPWAIT_USE_DEFAULT_WAIT).
                K.WaitNamedPipe(path, (int) Math.max(1, Math.min(deadline.leftMillis(), Integer.MAX_VALUE)));
            } else if (error == Kernel32Ex.ERROR_FILE_NOT_FOUND) {
                if (deadline.expired()) {
                    throw sawBusy ? timedOut(path, config)
                            : new NoSuchPipeException("connect " + path, error, "no such pipe (is the server running?)");
                }
                deadline.pauseBeforeRetry("connect " + path);
            } else {
                throw Win32.exception("connect " + path, error, null);
            }
        }
    }

    private static PipeException timedOut(String path, ClientConfig config) {
        return new PipeBusyException("connect " + path, Kernel32Ex.ERROR_SEM_TIMEOUT,
                "timed out after " + config.connectTimeout().toMillis() + " ms: every instance of the pipe stayed busy");
    }

    @Override
    public void send(byte[] message) throws PipeException {
        ensureOpen();
        writeBuffer.put(message);
        IntByReference written = transferred;
        if (!KX.WriteFile(handle, writeBuffer.pointer(), message.length, written, null)) {
            throw Win32.lastError("WriteFile " + path);
        }
        if (written.getValue() != message.length) {
            throw new PipeException("WriteFile " + path, PipeException.NO_CODE,
                    "wrote " + written.getValue() + " of " + message.length + " bytes");
        }
    }

    @Override
    public byte[] receive() throws PipeException {
        ensureOpen();
        IntByReference read = transferred;
        while (true) {
            boolean whole = KX.ReadFile(handle, readBuffer.pointer(), readBuffer.capacity(), read, null);
            int error = whole ? 0 : Native.getLastError();
            if (!whole && error != Kernel32Ex.ERROR_MORE_DATA) {
                assembler.take(); // drop any part of a message
                throw Win32.exception("ReadFile " + path, error, error == Kernel32Ex.ERROR_BROKEN_PIPE ? "the server closed the pipe" : null);
            }
            if (whole) {
                return assembler.finish(readBuffer, read.getValue());
            }
            assembler.append(readBuffer, read.getValue());
        }
    }

    @Override
    public byte[] transact(byte[] message) throws PipeException {
        ensureOpen();
        writeBuffer.put(message);
        IntByReference read = transferred;
        if (KX.TransactNamedPipe(handle, writeBuffer.pointer(), message.length, readBuffer.pointer(), readBuffer.capacity(), read, null)) {
            return assembler.finish(readBuffer, read.getValue());
        }
        int error = Native.getLastError();
        if (error != Kernel32Ex.ERROR_MORE_DATA) {
            throw Win32.exception("TransactNamedPipe " + path, error, error == Kernel32Ex.ERROR_BROKEN_PIPE ? "the server closed the pipe" : null);
        }
        assembler.append(readBuffer, read.getValue()); // the first part of a long answer; ReadFile brings the rest
        return receive();
    }

    private void ensureOpen() throws PipeException {
        if (closed) {
            throw new PipeClosedException("use " + path, PipeException.NO_CODE, "the connection is closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            NativeHandles.close(handle);
            readBuffer.free();
            writeBuffer.free();
        }
    }
}
