package io.pipekit.core.windows;

import com.sun.jna.Native;
import com.sun.jna.platform.win32.Advapi32;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinDef.ULONGByReference;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.platform.win32.WinNT.HANDLE;
import io.pipekit.core.PeerIdentity;
import io.pipekit.core.PeerIdentity.Elevation;
import io.pipekit.core.PipeException;
import io.pipekit.core.Win32Errors;
import java.util.concurrent.Callable;

/**
 * A connected pipe client's identity, and its token for {@link #runAs}: read once, when the
 * client connects, on the server thread.
 *
 * <p>The token comes from {@code ImpersonateNamedPipeClient}, {@code OpenThreadToken} and
 * {@code RevertToSelf}, reverted on every path. A client that connected with
 * {@code SECURITY_IDENTIFICATION} (pipekit's default) yields an identification token: enough to
 * read who the client is, not to act as it. The token is kept open for the connection's life, so
 * that {@link #runAs} works on any thread without touching the pipe handle, which may be closed
 * meanwhile; {@link #close()} closes it.
 */
public final class PipeClientToken implements AutoCloseable {
    private static final Advapi32 A = Advapi32.INSTANCE;
    private static final Kernel32 K = Kernel32.INSTANCE;

    private final PeerIdentity identity;
    private HANDLE token; // null: the client's token could not be read (see identity)

    private PipeClientToken(PeerIdentity identity, HANDLE token) {
        this.identity = identity;
        this.token = token;
    }

    /**
     * Reads the identity of the client connected to {@code pipe}. It never fails: what Windows
     * will not tell is left unknown in the identity, and {@link #runAs} then refuses.
     */
    public static PipeClientToken of(HANDLE pipe) {
        ULONGByReference value = new ULONGByReference();
        long pid = K.GetNamedPipeClientProcessId(pipe, value) ? value.getValue().longValue() : -1;
        int session = K.GetNamedPipeClientSessionId(pipe, value) ? value.getValue().intValue() : -1;
        HANDLE token = impersonationToken(pipe);
        if (token == null) {
            return new PipeClientToken(PeerIdentity.windows(pid, session, null, null, Elevation.UNKNOWN, null), null);
        }
        try {
            return new PipeClientToken(Tokens.read(token).identity(pid, session), token);
        } catch (PipeException | RuntimeException unreadable) {
            NativeHandles.close(token);
            return new PipeClientToken(PeerIdentity.windows(pid, session, null, null, Elevation.UNKNOWN, null), null);
        }
    }

    /** The client's token, opened while impersonating it, or {@code null} if Windows refused. */
    private static HANDLE impersonationToken(HANDLE pipe) {
        if (!Advapi32Ex.INSTANCE.ImpersonateNamedPipeClient(pipe)) {
            return null;
        }
        WinNT.HANDLEByReference token = new WinNT.HANDLEByReference();
        boolean opened;
        try {
            // OpenAsSelf: the access check on the token is the server's, since an identification-
            // level client context may not open anything, its own token included.
            opened = A.OpenThreadToken(K.GetCurrentThread(), WinNT.TOKEN_QUERY | WinNT.TOKEN_IMPERSONATE, true, token);
        } finally {
            revert();
        }
        return opened ? NativeHandles.opened(token.getValue()) : null;
    }

    /** The client, as Windows vouches for it. */
    public PeerIdentity identity() {
        return identity;
    }

    /**
     * Runs {@code work} on the calling thread in the client's security context, and puts back
     * what the thread ran as before (its own process's token, or an earlier impersonation),
     * whether {@code work} returns or throws. The context belongs to this thread only: work
     * that {@code work} hands to another thread, or continues after an asynchronous boundary,
     * runs as the server.
     *
     * @throws IllegalStateException if the client's token could not be read, or the connection is closed
     */
    public <T> T runAs(Callable<T> work) throws Exception {
        // What the thread impersonated before, if anything, is put back afterwards: a runAsClient
        // inside another, or in code that already impersonates, must not end it early.
        HANDLE previous = currentThreadToken();
        try {
            // Locked only while the token is put on the thread, which then holds its own reference:
            // the server thread closing the connection meanwhile never waits for the work.
            synchronized (this) {
                if (token == null) {
                    throw new IllegalStateException("the client's token is not available (or the connection is closed): " + identity);
                }
                if (!A.SetThreadToken(null, token)) {
                    throw Win32.lastError("SetThreadToken");
                }
            }
            try {
                return work.call();
            } finally {
                restore(previous);
            }
        } finally {
            if (previous != null) {
                NativeHandles.close(previous);
            }
        }
    }

    /** The token the calling thread impersonates with, or {@code null} if it runs as its process. */
    private static HANDLE currentThreadToken() throws PipeException {
        WinNT.HANDLEByReference current = new WinNT.HANDLEByReference();
        if (A.OpenThreadToken(K.GetCurrentThread(), WinNT.TOKEN_IMPERSONATE, true, current)) {
            return NativeHandles.opened(current.getValue());
        }
        int error = Native.getLastError();
        if (error == Win32Errors.ERROR_NO_TOKEN) {
            return null;
        }
        throw Win32.exception("OpenThreadToken", error, null);
    }

    /** Puts {@code previous} back on the thread, or reverts to the process's own token if there was none. */
    private static void restore(HANDLE previous) {
        if (previous == null) {
            revert();
        } else if (!A.SetThreadToken(null, previous)) {
            revert(); // at least not the client's: the process's own rights
            throw new IllegalStateException("could not restore the thread's earlier impersonation (SetThreadToken, Win32 error "
                    + Native.getLastError() + "); it runs as the process now");
        }
    }

    /**
     * {@code RevertToSelf}. If it fails, this thread would go on as the client, which Windows says
     * no program should survive: an {@link InternalError} says so loudly instead.
     */
    private static void revert() {
        if (!A.RevertToSelf()) {
            throw new InternalError("RevertToSelf failed with Win32 error " + Native.getLastError()
                    + ": this thread still runs as a pipe client; stop the process");
        }
    }

    /** Closes the token; idempotent. */
    @Override
    public synchronized void close() {
        if (token != null) {
            NativeHandles.close(token);
            token = null;
        }
    }
}
