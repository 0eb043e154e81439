package io.pipekit.client.windows;

import io.pipekit.core.Win32Errors;
import com.sun.jna.Native;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinNT.HANDLE;
import com.sun.jna.ptr.IntByReference;
import io.pipekit.client.internal.CallerRoles;
import io.pipekit.client.internal.Deadline;
import io.pipekit.client.internal.Interrupts;
import io.pipekit.core.MessageTooLargeException;
import io.pipekit.core.NoSuchPipeException;
import io.pipekit.core.PipeBusyException;
import io.pipekit.core.PipeClosedException;
import io.pipekit.core.PeerIdentity;
import io.pipekit.core.PipeException;
import io.pipekit.core.PipeIoException;
import io.pipekit.core.PipeTimeoutException;
import io.pipekit.core.transport.ResolvedServerTrust;
import io.pipekit.core.UntrustedServerException;
import io.pipekit.core.ReadMode;
import io.pipekit.core.transport.ClientConfig;
import io.pipekit.core.transport.ClientConnection;
import io.pipekit.core.windows.Kernel32Direct;
import io.pipekit.core.windows.Kernel32Ex;
import io.pipekit.core.windows.MessageAssembler;
import io.pipekit.core.windows.NativeHandles;
import io.pipekit.core.windows.PipeServerIdentity;
import io.pipekit.core.windows.Win32;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The client end of a Windows named pipe, in message or byte read mode, with overlapped I/O
 * through native buffers the connection owns.
 *
 * <p>Connecting follows Microsoft's client sample: {@code CreateFile}; on
 * {@code ERROR_PIPE_BUSY}, {@code WaitNamedPipe} and try again; then, for message read mode,
 * {@code SetNamedPipeHandleState(PIPE_READMODE_MESSAGE)}. The read mode is the pipe's own type
 * ({@code GetNamedPipeInfo}) unless the caller chose one; message read mode on a byte-type pipe is
 * refused here, before the call, with the {@code ERROR_INVALID_PARAMETER} Windows would give and a
 * message that says to read in byte mode. It retries until the deadline, also
 * while the pipe does not exist yet (a client started just before its server), and then says
 * which of the two it met: no such pipe, or every instance busy.
 *
 * <p>The handle is opened with {@code FILE_FLAG_OVERLAPPED}: a synchronous handle would
 * serialise every operation on it, so a thread waiting to receive would block another that
 * sends. Reads and writes each have an {@link IoSlot}; a receive can time out (the read is
 * cancelled and waited for, and the connection stays usable); {@link #close()} from any thread
 * sets an event every wait also watches. A send can time out too: its write is cancelled and its
 * completion awaited before its buffer is used again. Native memory and the handle are freed by whichever
 * comes last: {@code close()}, or the last call still in flight.
 */
public final class WindowsClientConnection implements ClientConnection {
    private static final Kernel32 K = Kernel32.INSTANCE;
    private static final int READ_CHUNK = 64 * 1024;
    /**
     * The longest single WaitNamedPipe while every instance is busy: it cannot be interrupted, so a
     * connect looks at its thread's interrupt flag at least this often.
     */
    private static final long BUSY_WAIT_SLICE_MILLIS = 50;

    private final HANDLE handle;
    private final String path;
    // Made once: a stream's reads and writes come in thousands, and each would build its own.
    private final String writeOperation;
    private final String readOperation;
    private final HANDLE closeEvent;
    private final IoSlot reader;
    private final IoSlot writer;
    private final MessageAssembler assembler;
    private final ReadMode readMode;
    private final PeerIdentity server;
    private final Object lifecycle = new Object();
    private final AtomicBoolean reading = new AtomicBoolean();
    private final AtomicBoolean writing = new AtomicBoolean();
    /** The rest of a message refused as too large is still in the pipe; only the reader touches it. */
    private boolean skippingRefusedMessage;
    private int callsInFlight;
    private boolean closed;
    private boolean freed;

    private WindowsClientConnection(HANDLE handle, String path, int maxMessageSize, ReadMode readMode, PeerIdentity server)
            throws PipeException {
        this.handle = handle;
        this.server = server;
        this.path = path;
        this.writeOperation = "WriteFile " + path;
        this.readOperation = "ReadFile " + path;
        this.readMode = readMode;
        this.assembler = new MessageAssembler(maxMessageSize);
        this.closeEvent = NativeHandles.opened(K.CreateEvent(null, true, false, null));
        if (closeEvent == null) {
            throw Win32.lastError("CreateEvent");
        }
        IoSlot read = null;
        // An interrupt of a thread waiting in either slot closes the connection, which ends its wait.
        Interrupts interrupts = new Interrupts(this::close);
        try {
            read = new IoSlot(READ_CHUNK, closeEvent, interrupts);
            this.reader = read;
            this.writer = new IoSlot(4096, closeEvent, interrupts);
        } catch (PipeException e) {
            if (read != null) {
                read.free();
            }
            NativeHandles.close(closeEvent);
            throw e;
        }
    }

    /** Connects as described in the class comment. */
    public static WindowsClientConnection connect(ClientConfig config) throws PipeException {
        String path = config.name().path();
        int access = config.readOnly() ? Kernel32.GENERIC_READ | Kernel32Ex.FILE_WRITE_ATTRIBUTES // needed to set message read mode
                : Kernel32.GENERIC_READ | Kernel32.GENERIC_WRITE;
        // Without SECURITY_SQOS_PRESENT the server could impersonate this client; by default it may only identify it.
        // Overlapped, so that a reader and a writer can be in flight at once and a wait can end.
        int flags = Kernel32Ex.FILE_FLAG_OVERLAPPED | Kernel32Ex.SECURITY_SQOS_PRESENT
                | (config.allowImpersonation() ? Kernel32Ex.SECURITY_IMPERSONATION : Kernel32Ex.SECURITY_IDENTIFICATION);
        Deadline deadline = Deadline.after(config.connectTimeout());
        boolean sawBusy = false;
        while (true) {
            HANDLE handle = NativeHandles.opened(Kernel32Ex.OPENING.CreateFile(path, access, 0, null, Kernel32.OPEN_EXISTING, flags, null));
            if (!WinBase.INVALID_HANDLE_VALUE.equals(handle)) {
                try {
                    PeerIdentity server = verifiedServer(handle, path, config.serverTrust());
                    return new WindowsClientConnection(handle, path, config.maxMessageSize(), setReadMode(handle, path, config.readMode()),
                            server);
                } catch (PipeException | RuntimeException e) {
                    NativeHandles.close(handle);
                    throw e;
                }
            }
            int error = Native.getLastError();
            if (error == Win32Errors.ERROR_PIPE_BUSY) {
                sawBusy = true;
                if (deadline.expired()) {
                    throw timedOut(path, config);
                }
                // ERROR_SEM_TIMEOUT may come a timer tick before the deadline, and ERROR_FILE_NOT_FOUND
                // means the server went away meanwhile: either way, try again until the deadline.
                // Never 0 here: to WaitNamedPipe that means the server's default wait (NMPWAIT_USE_DEFAULT_WAIT).
                // In slices, since the JDK cannot interrupt it: an interrupt ends the connect.
                K.WaitNamedPipe(path, (int) Math.max(1, Math.min(deadline.leftMillis(), BUSY_WAIT_SLICE_MILLIS)));
                if (Thread.currentThread().isInterrupted()) {
                    throw Interrupts.interrupted("connect " + path, "no connection was made", null);
                }
            } else if (error == Win32Errors.ERROR_FILE_NOT_FOUND) {
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

    /** Who serves the pipe; an {@link UntrustedServerException} if {@code trust} does not accept it. */
    private static PeerIdentity verifiedServer(HANDLE handle, String path, ResolvedServerTrust trust) throws PipeException {
        PeerIdentity server = PipeServerIdentity.of(handle);
        if (!PipeServerIdentity.trusted(server, trust)) {
            throw new UntrustedServerException("connect " + path, server, trust.trust());
        }
        return server;
    }

    /** Chooses the read mode from the request and the pipe's type, and sets it. */
    private static ReadMode setReadMode(HANDLE handle, String path, ReadMode requested) throws PipeException {
        IntByReference flags = new IntByReference();
        if (!K.GetNamedPipeInfo(handle, flags, null, null, null)) {
            throw Win32.lastError("GetNamedPipeInfo " + path);
        }
        boolean messageType = (flags.getValue() & Kernel32Ex.PIPE_TYPE_MESSAGE) != 0;
        ReadMode mode = requested == ReadMode.AUTO ? (messageType ? ReadMode.MESSAGE : ReadMode.BYTE) : requested;
        if (mode == ReadMode.MESSAGE) {
            if (!messageType) {
                throw Win32.exception("SetNamedPipeHandleState " + path, Win32Errors.ERROR_INVALID_PARAMETER,
                        "message read mode needs a message-type pipe, and this one is byte-type: read it in byte mode");
            }
            IntByReference readMessages = new IntByReference(Kernel32Ex.PIPE_READMODE_MESSAGE);
            if (!K.SetNamedPipeHandleState(handle, readMessages, null, null)) {
                throw Win32.lastError("SetNamedPipeHandleState " + path);
            }
        }
        return mode; // a client handle starts in byte read mode: nothing to set for it
    }

    private static PipeException timedOut(String path, ClientConfig config) {
        return new PipeBusyException("connect " + path, Win32Errors.ERROR_SEM_TIMEOUT,
                "timed out after " + config.connectTimeout().toMillis() + " ms: every instance of the pipe stayed busy");
    }

    @Override
    public PeerIdentity serverIdentity() {
        return server;
    }

    @Override
    public ReadMode readMode() {
        return readMode;
    }

    @Override
    public void send(byte[] bytes, int offset, int length, long timeoutMillis) throws PipeException {
        String operation = writeOperation;
        enter(operation);
        try {
            CallerRoles.claim(writing, operation, "writer");
            try {
                writer.buffer.put(bytes, offset, length);
                writeBuffered(length, timeoutMillis, operation);
            } finally {
                writing.set(false);
            }
        } finally {
            leave();
        }
    }

    @Override
    public void send(ByteBuffer from, long timeoutMillis) throws PipeException {
        String operation = writeOperation;
        enter(operation);
        try {
            CallerRoles.claim(writing, operation, "writer");
            try {
                int position = from.position();
                int length = from.remaining();
                writer.buffer.put(from);
                try {
                    writeBuffered(length, timeoutMillis, operation);
                } catch (PipeTimeoutException e) {
                    if (writer.transferred.getValue() == 0) {
                        from.position(position); // nothing went out: the caller may send it again
                    }
                    throw e;
                }
            } finally {
                writing.set(false);
            }
        } finally {
            leave();
        }
    }

    /**
     * Writes the first {@code length} bytes of the writer's buffer, waiting at most
     * {@code timeoutMillis}. A write that times out is cancelled and its completion awaited
     * (IoSlot) before the buffer is touched again. Nothing written: the connection stays usable.
     * Part written (a byte-type pipe, or a buffer quota smaller than the message): the rest can
     * no longer follow as one message, so the connection is closed.
     */
    private void writeBuffered(int length, long timeoutMillis, String operation) throws PipeException {
        long startNanos = System.nanoTime();
        boolean started = Kernel32Direct.WriteFile(handle.getPointer(), writer.buffer.pointer(), length, null, writer.start());
        int error;
        try {
            error = writer.complete(handle, started, started ? 0 : Native.getLastError(), startNanos, timeoutMillis, operation);
        } catch (PipeTimeoutException e) {
            int sent = writer.transferred.getValue();
            if (sent == 0) {
                throw new PipeTimeoutException(operation, PipeException.NO_CODE,
                        "the pipe took nothing within " + timeoutMillis + " ms (is the server reading?); the connection stays usable", e);
            }
            close();
            throw new PipeTimeoutException(operation, PipeException.NO_CODE, "the pipe took " + sent + " of " + length
                    + " bytes within " + timeoutMillis + " ms; the connection is closed, as the rest can no longer follow whole", e);
        }
        if (error != 0) {
            throw Win32.exception(operation, error, null);
        }
        if (writer.transferred.getValue() != length) {
            throw new PipeIoException(operation, PipeException.NO_CODE,
                    "wrote " + writer.transferred.getValue() + " of " + length + " bytes");
        }
    }

    @Override
    public int read(byte[] into, int offset, int length, long timeoutMillis) throws PipeException {
        String operation = readOperation;
        enter(operation);
        try {
            CallerRoles.claim(reading, operation, "reader");
            try {
                int count = length == 0 ? 0 : readBuffered(length, timeoutMillis, operation);
                if (count > 0) {
                    reader.buffer.get(into, offset, count);
                }
                return count;
            } finally {
                reading.set(false);
            }
        } finally {
            leave();
        }
    }

    @Override
    public int read(ByteBuffer into, long timeoutMillis) throws PipeException {
        String operation = readOperation;
        enter(operation);
        try {
            CallerRoles.claim(reading, operation, "reader");
            try {
                int count = into.hasRemaining() ? readBuffered(into.remaining(), timeoutMillis, operation) : 0;
                if (count > 0) {
                    reader.buffer.get(into, count);
                }
                return count;
            } finally {
                reading.set(false);
            }
        } finally {
            leave();
        }
    }

    /**
     * Reads up to {@code length} bytes of the stream into the reader's buffer: returns how many
     * (at least one), or -1 once the server has closed its end.
     */
    private int readBuffered(int length, long timeoutMillis, String operation) throws PipeException {
        long startNanos = System.nanoTime(); // a primitive deadline: a stream reads thousands of times
        while (true) {
            int want = Math.min(length, reader.buffer.capacity());
            boolean started = Kernel32Direct.ReadFile(handle.getPointer(), reader.buffer.pointer(), want, null, reader.start());
            int error = reader.complete(handle, started, started ? 0 : Native.getLastError(), startNanos, timeoutMillis, operation);
            if (error == Win32Errors.ERROR_BROKEN_PIPE || error == Win32Errors.ERROR_PIPE_NOT_CONNECTED
                    || error == Win32Errors.ERROR_NO_DATA) {
                return -1; // the server closed or disconnected its end: the end of the stream
            }
            // ERROR_MORE_DATA: more of the same message follows, which a stream does not care about.
            if (error != 0 && error != Win32Errors.ERROR_MORE_DATA) {
                throw Win32.exception(operation, error, null);
            }
            int count = reader.transferred.getValue();
            if (count > 0) { // an empty message adds nothing to the stream
                return count;
            }
        }
    }

    @Override
    public byte[] receive(long timeoutMillis) throws PipeException {
        String operation = readOperation;
        enter(operation);
        try {
            CallerRoles.claim(reading, operation, "reader");
            try {
                return read(System.nanoTime(), timeoutMillis, operation);
            } finally {
                reading.set(false);
            }
        } finally {
            leave();
        }
    }

    /**
     * Reads until a whole message is there; a part read before a timeout stays in the assembler.
     * A message over the limit is refused as soon as it is known to be too long, and the rest of
     * it, still in the pipe, is read and dropped first thing in the next receive: it never comes
     * back as a message of its own.
     */
    private byte[] read(long startNanos, long timeoutMillis, String operation) throws PipeException {
        while (true) {
            boolean started = Kernel32Direct.ReadFile(handle.getPointer(), reader.buffer.pointer(), reader.buffer.capacity(), null, reader.start());
            int error = reader.complete(handle, started, started ? 0 : Native.getLastError(), startNanos, timeoutMillis, operation);
            if (skippingRefusedMessage && (error == 0 || error == Win32Errors.ERROR_MORE_DATA)) {
                skippingRefusedMessage = error == Win32Errors.ERROR_MORE_DATA; // 0: its last part
                continue;
            }
            if (error == 0) {
                return assembler.finish(reader.buffer, reader.transferred.getValue());
            }
            if (error != Win32Errors.ERROR_MORE_DATA) {
                assembler.take(); // drop any part of a message: the connection is over
                throw Win32.exception(operation, error, null);
            }
            try {
                assembler.append(reader.buffer, reader.transferred.getValue());
            } catch (MessageTooLargeException e) {
                skippingRefusedMessage = true; // ERROR_MORE_DATA: more of it is still to come
                throw e;
            }
        }
    }

    @Override
    public byte[] transact(byte[] message, long sendTimeoutMillis, long receiveTimeoutMillis) throws PipeException {
        String operation = "transact on " + path;
        enter(operation);
        try {
            CallerRoles.claim(writing, operation, "writer");
            try {
                CallerRoles.claim(reading, operation, "reader");
                try {
                    // A write and a read, both overlapped. An overlapped TransactNamedPipe (one call) was no
                    // faster under Wine 10: medians of 5 rounds, 336 µs against 302 for these two calls at
                    // 64 B, 365 against 341 at 4 KiB.
                    writer.buffer.put(message, 0, message.length);
                    writeBuffered(message.length, sendTimeoutMillis, writeOperation);
                    return read(System.nanoTime(), receiveTimeoutMillis, readOperation);
                } finally {
                    reading.set(false);
                }
            } finally {
                writing.set(false);
            }
        } finally {
            leave();
        }
    }

    /**
     * What {@code PeekNamedPipe} says is in the pipe, every message of a message-type pipe counted;
     * 0 once the server has closed its end.
     */
    @Override
    public int available() throws PipeException {
        String operation = "PeekNamedPipe " + path;
        enter(operation);
        try {
            IntByReference total = new IntByReference();
            if (!K.PeekNamedPipe(handle, null, 0, null, total, null)) {
                int error = Native.getLastError();
                if (error == Win32Errors.ERROR_BROKEN_PIPE || error == Win32Errors.ERROR_PIPE_NOT_CONNECTED) {
                    return 0; // the end of the stream: nothing more will come
                }
                throw Win32.exception(operation, error, null);
            }
            return total.getValue();
        } finally {
            leave();
        }
    }

    @Override
    public boolean isOpen() {
        synchronized (lifecycle) {
            return !closed;
        }
    }

    /** A call starts: refused once closed; counted, so that close() frees nothing it still uses. */
    private void enter(String operation) throws PipeException {
        synchronized (lifecycle) {
            if (closed) {
                throw new PipeClosedException(operation, PipeException.NO_CODE, "the connection is closed");
            }
            callsInFlight++;
        }
    }

    private void leave() {
        boolean last;
        synchronized (lifecycle) {
            callsInFlight--;
            last = closed && callsInFlight == 0 && !freed;
            freed |= last;
        }
        if (last) {
            free();
        }
    }

    /**
     * Closes the connection, from any thread. A call waiting in receive or send wakes through the
     * close event, cancels its own I/O, waits for the cancellation and throws
     * {@link PipeClosedException}; the last of them frees the handle and the buffers.
     */
    @Override
    public void close() {
        boolean freeNow;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            K.SetEvent(closeEvent);
            freeNow = callsInFlight == 0;
            freed |= freeNow;
        }
        if (freeNow) {
            free();
        }
    }

    private void free() {
        NativeHandles.close(handle);
        reader.free();
        writer.free();
        NativeHandles.close(closeEvent);
    }
}
