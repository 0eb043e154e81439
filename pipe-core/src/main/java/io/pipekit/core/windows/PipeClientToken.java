package io.pipekit.core.windows;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
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
 * <p>The identity is read while impersonating the client ({@code ImpersonateNamedPipeClient}),
 * from the thread's effective token, which works whoever the server runs as, a service account
 * included; the token kept comes from {@code OpenThreadToken}; {@code RevertToSelf} runs on every
 * path ({@link ClientTokenRead} says why each call). A client that connected with
 * {@code SECURITY_IDENTIFICATION} (pipekit's default) yields an identification token: enough to
 * read who the client is, not to act as it. The token is kept open for the connection's life, so
 * that {@link #runAs} works on any thread without touching the pipe handle, which may be closed
 * meanwhile; {@link #close()} closes it.
 */
public final class PipeClientToken implements AutoCloseable {
    private static final Advapi32 A = Advapi32.INSTANCE;
    private static final Kernel32 K = Kernel32.INSTANCE;
    /** {@code GetCurrentThreadEffectiveToken()}, an inline function in the SDK headers: the pseudo-handle -6. */
    private static final HANDLE THREAD_EFFECTIVE_TOKEN = new HANDLE(Pointer.createConstant(-6L));

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
        ClientTokenRead.Result read = ClientTokenRead.read(new Win32Steps(pipe));
        if (read.facts() == null) {
            return new PipeClientToken(Tokens.identity(pid, session, null, null, PeerIdentity.Source.UNKNOWN, Elevation.UNKNOWN, null), null);
        }
        return new PipeClientToken(read.facts().named().identity(pid, session), read.token());
    }

    /** The real calls of {@link ClientTokenRead}, on {@code pipe}'s client. */
    private record Win32Steps(HANDLE pipe) implements ClientTokenRead.Steps {
        @Override
        public boolean impersonate() {
            return Advapi32Ex.INSTANCE.ImpersonateNamedPipeClient(pipe);
        }

        @Override
        public Tokens.Facts readEffectiveToken() throws PipeException {
            return Tokens.readUnnamed(THREAD_EFFECTIVE_TOKEN);
        }

        @Override
        public HANDLE openThreadToken(boolean asSelf) {
            WinNT.HANDLEByReference token = new WinNT.HANDLEByReference();
            if (!A.OpenThreadToken(K.GetCurrentThread(), WinNT.TOKEN_QUERY | WinNT.TOKEN_IMPERSONATE, asSelf, token)) {
                return null;
            }
            return NativeHandles.opened(token.getValue());
        }

        @Override
        public void revert() {
            PipeClientToken.revert();
        }

        @Override
        public void close(HANDLE token) {
            NativeHandles.close(token);
        }
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
            return RestoringCall.call(work, () -> restore(previous));
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
