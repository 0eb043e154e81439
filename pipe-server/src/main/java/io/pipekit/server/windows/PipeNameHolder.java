package io.pipekit.server.windows;

import com.sun.jna.Native;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinNT.HANDLE;
import com.sun.jna.ptr.IntByReference;
import io.pipekit.core.PipeException;
import io.pipekit.core.PipeNameInUseException;
import io.pipekit.core.PipeType;
import io.pipekit.core.Win32Errors;
import io.pipekit.core.transport.ServerConfig;
import io.pipekit.core.windows.Kernel32Ex;
import io.pipekit.core.windows.NativeHandles;
import io.pipekit.core.windows.PipeSecurity;
import io.pipekit.core.windows.Win32;
import java.util.ArrayDeque;

/**
 * Holds a pipe's name for a server, with pipekit's secure defaults: it makes the instances'
 * handles ({@code CreateNamedPipe} with the security descriptor, {@code PIPE_REJECT_REMOTE_CLIENTS},
 * and {@code FILE_FLAG_FIRST_PIPE_INSTANCE} plus an instance count while it claims the name), keeps
 * disconnected handles to listen again so that the name is never let go while the server lives,
 * counts the live instances against {@code maxInstances}, and says when an ending instance may
 * close its handle without a disconnect.
 *
 * <p>What it does not know, the number of instances listening, its caller passes in. Confined to
 * the loop thread. Shared by the server's {@link CompletionRoutineLoop} and pipe-netty's server
 * channel.
 */
public final class PipeNameHolder {
    private static final Kernel32 K = Kernel32.INSTANCE;

    private final ServerConfig config;
    private final ListenRetry listenRetry = new ListenRetry();
    // Disconnected instances kept open to listen again: see keepToListenAgain. Counted in liveInstances.
    private final ArrayDeque<HANDLE> spareHandles = new ArrayDeque<>();
    private int liveInstances;
    private boolean stopped; // no longer listening: no handle is kept from here on
    private PipeSecurity security;

    /** A holder for {@code config}'s name; nothing native is made before {@link #open()}. */
    public PipeNameHolder(ServerConfig config) {
        this.config = config;
    }

    /** The configuration it makes instances with. */
    public ServerConfig config() {
        return config;
    }

    /** When a failed attempt to make an instance listen may be retried. */
    public ListenRetry listenRetry() {
        return listenRetry;
    }

    /** Builds the security descriptor every instance is created with: the config's SDDL, or the current user and SYSTEM only. */
    public void open() throws PipeException {
        security = config.securityDescriptor() == null ? PipeSecurity.currentUserOnly()
                : PipeSecurity.fromSddl(config.securityDescriptor());
    }

    /**
     * A handle for a new instance: a spare one if there is one, else a new one, counted live. A
     * new one made while no handle of this holder holds the name claims the name (see
     * {@link PipeNameInUseException}).
     */
    public HANDLE takeHandle() throws PipeException {
        HANDLE handle = spareHandles.poll();
        if (handle == null) {
            handle = createPipeHandle();
            liveInstances++;
        }
        return handle;
    }

    private HANDLE createPipeHandle() throws PipeException {
        // An instance made while no handle of ours holds the name (the first, or one after every
        // instance was lost) claims it: if another process serves it already, fail rather than
        // become one more instance of somebody else's pipe (pipe squatting).
        boolean claiming = liveInstances == 0;
        int openMode = Kernel32Ex.PIPE_ACCESS_DUPLEX | Kernel32Ex.FILE_FLAG_OVERLAPPED
                | (claiming ? Kernel32Ex.FILE_FLAG_FIRST_PIPE_INSTANCE : 0);
        int type = config.pipeType() == PipeType.MESSAGE
                ? Kernel32Ex.PIPE_TYPE_MESSAGE | Kernel32Ex.PIPE_READMODE_MESSAGE
                : Kernel32Ex.PIPE_TYPE_BYTE | Kernel32Ex.PIPE_READMODE_BYTE; // each read's bytes go to the listener as they come
        int pipeMode = type | Kernel32Ex.PIPE_WAIT | Kernel32Ex.PIPE_REJECT_REMOTE_CLIENTS;
        HANDLE handle = NativeHandles.opened(Kernel32Ex.OPENING.CreateNamedPipe(config.name().path(), openMode, pipeMode, config.maxInstances(),
                config.outBufferSize(), config.inBufferSize(), (int) config.defaultTimeout().toMillis(), security.attributes()));
        if (WinBase.INVALID_HANDLE_VALUE.equals(handle)) {
            int error = Native.getLastError();
            String operation = "CreateNamedPipe " + config.name().path();
            // ERROR_ACCESS_DENIED: FILE_FLAG_FIRST_PIPE_INSTANCE refused, an instance exists;
            // ERROR_PIPE_BUSY: another server's instances are all there are (its maxInstances).
            if (claiming && (error == Win32Errors.ERROR_ACCESS_DENIED || error == Win32Errors.ERROR_PIPE_BUSY)) {
                throw new PipeNameInUseException(operation, error, "the pipe is already served by another server");
            }
            throw Win32.exception(operation, error, null);
        }
        if (claiming && otherInstancesExist(handle)) {
            NativeHandles.close(handle);
            throw new PipeNameInUseException("CreateNamedPipe " + config.name().path(), Win32Errors.ERROR_ACCESS_DENIED,
                    "the pipe is already served by another server");
        }
        return handle;
    }

    /**
     * Whether instances other than {@code ours} exist under the same name. Windows already
     * refuses them through {@code FILE_FLAG_FIRST_PIPE_INSTANCE}; Wine ignores that flag, so the
     * first instance also counts the pipe's instances before it claims the name.
     */
    private static boolean otherInstancesExist(HANDLE ours) {
        IntByReference instances = new IntByReference();
        return K.GetNamedPipeHandleState(ours, null, instances, null, null, null, 0) && instances.getValue() > 1;
    }

    /** Whether one more instance should listen beside {@code listening}, within {@code maxInstances}. */
    public boolean wantsAnotherListener(int listening) {
        return !stopped && listening < config.listeningInstances()
                && (!spareHandles.isEmpty() || config.allowsAnotherInstance(liveInstances));
    }

    /**
     * Offered the handle of an instance whose client has gone, disconnected: keeps it to listen
     * again if another listener is wanted beside {@code listening}, and says whether it did (else
     * the instance closes it). This is what holds the name while a server with few instances
     * turns over its clients: with {@code maxInstances(1)}, closing the one instance before
     * making the next would leave the name without any instance for a moment, and a process of
     * another user could create the pipe in that gap, with its own security (pipe squatting). A
     * reused handle never lets go of it.
     */
    public boolean keepToListenAgain(HANDLE handle, int listening) {
        if (stopped || listening + spareHandles.size() >= config.listeningInstances()) {
            return false;
        }
        spareHandles.add(handle);
        liveInstances++;
        return true;
    }

    /**
     * Whether an instance listens ({@code listening} of them do), or a spare handle waits to: then
     * an ending instance may close its handle instead of offering it to {@link #keepToListenAgain},
     * and the name stays held.
     */
    public boolean nameHeldByAnotherInstance(int listening) {
        return listening > 0 || !spareHandles.isEmpty();
    }

    /**
     * Whether an ending instance may close its handle without a disconnect, so that its client
     * reads what it has not yet: only while another instance holds the name, and only when
     * {@code maxInstances} is unlimited. Such an instance lives on until its client closes its
     * end, uncounted here; under a cap it would still count against the cap in Windows, and the
     * next CreateNamedPipe would fail with ERROR_PIPE_BUSY while this holder believes it has room.
     */
    public boolean mayOutliveHandle(int listening) {
        return config.maxInstances() == ServerConfig.UNLIMITED_INSTANCES && nameHeldByAnotherInstance(listening);
    }

    /** An instance's handle has been closed or kept as a spare: one live instance fewer. */
    public void released() {
        liveInstances--;
    }

    /** Live instances: listening, connected and spare. */
    public int liveInstances() {
        return liveInstances;
    }

    /** No more listening: from here no handle is kept to listen again. The spares stay until {@link #closeSpareHandles()}. */
    public void stopListening() {
        stopped = true;
    }

    /** Whether {@link #stopListening()} was called. */
    public boolean stopped() {
        return stopped;
    }

    /** Closes the handles kept to listen again. */
    public void closeSpareHandles() {
        for (HANDLE handle; (handle = spareHandles.poll()) != null; ) {
            NativeHandles.close(handle);
            liveInstances--;
        }
    }

    /** Closes the spare handles and frees the security descriptor; idempotent. */
    public void free() {
        closeSpareHandles();
        if (security != null) {
            security.free();
            security = null;
        }
    }
}
