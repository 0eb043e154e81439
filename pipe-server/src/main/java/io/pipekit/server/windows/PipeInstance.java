package io.pipekit.server.windows;

import io.pipekit.core.Win32Errors;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinNT.HANDLE;
import io.pipekit.core.PeerClosedException;
import io.pipekit.core.PeerIdentity;
import io.pipekit.core.PipeException;
import io.pipekit.core.PipeIoException;
import io.pipekit.core.transport.ServerConnection;
import io.pipekit.core.windows.Kernel32Direct;
import io.pipekit.core.windows.Kernel32Ex;
import io.pipekit.core.windows.MessageAssembler;
import io.pipekit.core.windows.NativeBuffer;
import io.pipekit.core.windows.NativeHandles;
import io.pipekit.core.windows.Overlapped;
import io.pipekit.core.windows.PipeClientToken;
import io.pipekit.core.windows.Win32;
import java.util.ArrayDeque;
import java.util.concurrent.Callable;

/**
 * One pipe instance, the sample's {@code PIPEINST}: the handle, the OVERLAPPEDs, the request
 * and reply buffers. It listens for a client, then serves that client with {@code ReadFileEx},
 * whose completion routine the loop routes back here by the OVERLAPPED's address, and with an
 * overlapped {@code WriteFile}, whose completion the loop hands back here after its wait, as the
 * sample's {@code WriteFileEx} routine would be (see {@link CompletionRoutineLoop} for why).
 *
 * <p>A read and a write may be in flight at once, each with its own OVERLAPPED and buffer:
 * the sample's lock-step chain uses one at a time, a connection handler keeps a read pending
 * while it pushes. Writes queue up and go out one at a time, in order.
 *
 * <p>Ownership rule: while an operation is pending ({@link #readPending}, {@link #writePending}),
 * its OVERLAPPED and buffer belong to the kernel. Closing with I/O pending only cancels it; the
 * handle and the native memory are released in {@link #release}, after the last completion
 * routine has run.
 */
final class PipeInstance implements ServerConnection {
    private static final Kernel32 K = Kernel32.INSTANCE;
    private static final Kernel32Ex KX = Kernel32Ex.INSTANCE;

    private final CompletionRoutineLoop loop;
    private final HANDLE handle;
    private final long id;
    private final ListeningInstance listening;
    final Overlapped readOverlapped = new Overlapped();
    final Overlapped writeOverlapped = new Overlapped();
    private final NativeBuffer readBuffer;
    private final NativeBuffer writeBuffer;
    private final MessageAssembler assembler;

    private ServerConnection.Listener listener;
    private boolean endedUnheard; // ended before setListener: tell the listener when it comes
    private PipeException unheardCause;
    private PipeClientToken client; // read when the client connects
    private boolean readPending;
    private boolean writePending;
    private final ArrayDeque<byte[]> writeQueue = new ArrayDeque<>();
    private int bytesToWrite;
    private boolean closing;
    private boolean keepUnread; // closed with closeKeepingUnread: the client may read what it has not yet
    private PipeException endCause;
    private boolean released;

    PipeInstance(CompletionRoutineLoop loop, HANDLE handle, long id, int readChunk, int writeBufferSize, int maxMessageSize) {
        this.loop = loop;
        this.handle = handle;
        this.listening = new ListeningInstance(handle);
        this.id = id;
        this.readBuffer = new NativeBuffer(readChunk);
        this.writeBuffer = new NativeBuffer(writeBufferSize);
        this.assembler = new MessageAssembler(maxMessageSize);
    }

    HANDLE handle() {
        return handle;
    }

    // --- listening -------------------------------------------------------------------------

    /**
     * Starts an overlapped {@code ConnectNamedPipe} (the sample's {@code ConnectToNewClient}).
     * Returns 0 when the instance listens (or already has its client), else the Win32 error
     * that stopped it; the instance must then be released.
     */
    int listen(HANDLE connectEvent) {
        return listening.listen(connectEvent);
    }

    /** Whether the pending connect has an outcome for the loop to collect. */
    boolean connectOutcomeReady() {
        return listening.connectOutcomeReady();
    }

    /** The outcome of the connect; see {@link ListeningInstance#connectResult()}. */
    int connectResult() {
        return listening.connectResult();
    }

    /** Cancels a pending connect; its outcome then arrives through the connect event. */
    void cancelConnect() {
        listening.cancelConnect();
    }

    /** A client is connected: learn who it is before anyone asks, and before any message is read. */
    void connected() {
        client = PipeClientToken.of(handle);
    }

    // --- ServerConnection --------------------------------------------------------------------

    @Override
    public long id() {
        return id;
    }

    @Override
    public PeerIdentity clientIdentity() {
        return client.identity();
    }

    @Override
    public <T> T runAsClient(Callable<T> work) throws Exception {
        return client.runAs(work);
    }

    @Override
    public boolean canRunAsClient() {
        return true; // named pipes impersonate; the token may still be unreadable, or the connection closed
    }

    /**
     * Gives the connection its listener. The listener was made (and may have started the first
     * read) before this call: if the connection ended meanwhile, a read refused at once because
     * the client had already gone, the listener hears it now. Without this, such a connection
     * ended unheard: a driven connection stayed listed as open for the server's whole life.
     */
    void setListener(ServerConnection.Listener listener) {
        this.listener = listener;
        if (endedUnheard) {
            endedUnheard = false;
            listener.closed(unheardCause);
        }
    }

    @Override
    public void read() {
        if (closing || readPending) {
            return;
        }
        readOverlapped.reset(null);
        if (!Kernel32Direct.ReadFileEx(handle.getPointer(), readBuffer.pointer(), readBuffer.capacity(), readOverlapped.pointer(), loop.readRoutine())) {
            int error = Native.getLastError();
            // Wine (8.0) returns FALSE with ERROR_MORE_DATA when part of a long message is ready at
            // once, yet still queues the completion routine, as Windows does after returning TRUE.
            // Either way the routine comes: the read is pending.
            if (error != Win32Errors.ERROR_MORE_DATA) {
                end(endCause("ReadFileEx", error));
                return;
            }
        }
        readPending = true;
    }

    @Override
    public void write(byte[] message) {
        if (closing) {
            return;
        }
        writeQueue.add(message);
        if (!writePending) {
            int error = writeNext();
            if (error != 0) {
                end(endCause("WriteFile", error));
            }
        }
    }

    /**
     * Starts writing the oldest queued message; the buffer is free, no write being in flight.
     * Returns 0 once it is pending, else the Win32 error that refused it at once (the client gone,
     * typically), leaving the end to the caller.
     */
    private int writeNext() {
        byte[] message = writeQueue.poll();
        writeBuffer.put(message);
        bytesToWrite = message.length;
        writeOverlapped.reset(loop.writeEvent());
        if (Kernel32Direct.WriteFile(handle.getPointer(), writeBuffer.pointer(), message.length, Pointer.NULL, writeOverlapped.pointer())) {
            loop.writeCompletedAtOnce(this);
        } else {
            int error = Native.getLastError();
            if (error != Win32Errors.ERROR_IO_PENDING) {
                return error;
            }
            loop.writeInFlight(this);
        }
        // Pending until the loop hands the completion over, even when it came at once: the
        // buffer is free then, but the listener hears of it, and the next write starts, in order.
        writePending = true;
        return 0;
    }

    @Override
    public void close() {
        end(null);
    }

    @Override
    public void closeKeepingUnread() {
        if (!closing) {
            keepUnread = true;
        }
        end(null);
    }

    // --- completion routines, routed here by the loop ------------------------------------------

    /** The sample's {@code CompletedReadRoutine}, with message reassembly. */
    void readCompleted(int errorCode, int bytesRead) {
        readPending = false;
        if (closing) {
            end(null);
            return;
        }
        // The routine's error code can read 0 for a partial message; the OVERLAPPED's own
        // NTSTATUS (STATUS_BUFFER_OVERFLOW) is the truth.
        boolean moreData = readOverlapped.status() == Kernel32Ex.STATUS_BUFFER_OVERFLOW || errorCode == Win32Errors.ERROR_MORE_DATA;
        if (errorCode != 0 && !moreData) {
            end(endCause("ReadFileEx", errorCode));
            return;
        }
        byte[] message;
        try {
            if (moreData) {
                assembler.append(readBuffer, bytesRead);
                read(); // the rest of the same message
                return;
            }
            message = assembler.finish(readBuffer, bytesRead);
        } catch (PipeException tooLong) {
            end(tooLong);
            return;
        }
        listener.messageRead(message);
    }

    /** The sample's {@code CompletedWriteRoutine}. */
    void writeCompleted(int errorCode, int bytesWritten) {
        writePending = false;
        if (closing) {
            // The end may have come first (the client read this message, then left, and its
            // read routine ran before this one): a write that completed still reached the pipe.
            if (errorCode == 0 && bytesWritten == bytesToWrite && listener != null) {
                listener.messageWritten();
            }
            end(null);
        } else if (errorCode != 0) {
            end(endCause("WriteFile", errorCode));
        } else if (bytesWritten != bytesToWrite) {
            end(new PipeIoException("WriteFile", PipeException.NO_CODE, "wrote " + bytesWritten + " of " + bytesToWrite + " bytes"));
        } else {
            // The next write starts before the listener hears of this one, so that what it writes
            // next queues behind those already waiting. If the next cannot start, the connection
            // ends, but only after the listener has heard that this message, which did reach the
            // pipe, was written: it counts its messages out as they are written.
            int nextError = writeQueue.isEmpty() ? 0 : writeNext();
            if (nextError != 0) {
                beginEnd(endCause("WriteFile", nextError)); // nothing more is read or written from here
            }
            listener.messageWritten();
            if (nextError != 0) {
                end(null); // with the cause given above
            }
        }
    }

    /**
     * A broken pipe is the client leaving, not a failure; but a client that left in the middle of
     * a message (killed while writing it, say) ends with a {@link PeerClosedException}, since the
     * part that arrived is dropped, as the Unix transport reports a frame cut short.
     */
    private PipeException endCause(String operation, int error) {
        if (error == Win32Errors.ERROR_BROKEN_PIPE || error == Win32Errors.ERROR_NO_DATA) {
            return assembler.inProgress() ? new PeerClosedException(operation, error,
                    "the client left in the middle of a message; the part that arrived is dropped") : null;
        }
        return error == Win32Errors.ERROR_OPERATION_ABORTED ? null : Win32.exception(operation, error, null);
    }

    /**
     * The connection is over: the sample's {@code DisconnectAndClose}, once no I/O is pending.
     * With I/O pending it cancels it, and the completion routines come back here; the first
     * cause given is the one the listener hears.
     */
    private void end(PipeException cause) {
        if (released) {
            return;
        }
        beginEnd(cause);
        if (readPending || writePending) {
            // Each routine still has to run (with ERROR_OPERATION_ABORTED); the last one releases.
            KX.CancelIoEx(handle, null);
            return;
        }
        // DisconnectNamedPipe discards what the client has not read; closing the handle without it
        // leaves that for the client, which reads it, then the end of the pipe. The handle cannot
        // listen again then, so only while another instance holds the name (see keepToListenAgain),
        // and the instance lives on until the client closes its end, so only while maxInstances
        // is unlimited: under a cap it would still count, and the loop's next CreateNamedPipe fail.
        release(!(keepUnread && loop.mayOutliveHandle()));
        if (listener != null) {
            listener.closed(endCause);
        } else {
            endedUnheard = true;
            unheardCause = endCause;
        }
    }

    /** Marks the connection ending, with the first cause given: no read or write starts from here. */
    private void beginEnd(PipeException cause) {
        if (!closing) {
            closing = true;
            endCause = cause;
            writeQueue.clear();
            if (cause != null) {
                // The one line a client's failure costs (docs/architecture.md), as on Unix sockets:
                // the listener hears the cause but does not log it again.
                loop.log(System.Logger.Level.WARNING, "client " + id + (client != null ? " (" + client.identity() + ")" : "")
                        + ": " + cause.getMessage() + "; closing its connection", null);
            }
        }
    }

    /**
     * Disconnects (if asked), closes the handle or hands it back to the loop to listen again, and
     * frees the native memory: exactly once, and only when no I/O of this instance is pending.
     */
    void release(boolean disconnect) {
        if (released) {
            return;
        }
        released = true;
        boolean keepHandle = disconnect && K.DisconnectNamedPipe(handle);
        // First: the loop finds this instance by its OVERLAPPEDs, and lets go of it here. (Told
        // after the frees, it once looked up address 0, kept every ended instance, and with it the
        // connection and its handler's state: a soak's heap grew 100 MB in 10 minutes. Overlapped
        // now keeps its address after free as well.)
        loop.released(this);
        // A disconnected handle may listen again as a new instance, so that the name is never let go.
        if (!(keepHandle && loop.keepToListenAgain(handle))) {
            NativeHandles.close(handle);
        }
        if (client != null) {
            client.close();
        }
        listening.free();
        readOverlapped.free();
        writeOverlapped.free();
        readBuffer.free();
        writeBuffer.free();
    }
}
