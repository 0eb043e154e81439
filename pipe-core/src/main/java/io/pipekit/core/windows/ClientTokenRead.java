package io.pipekit.core.windows;

import com.sun.jna.platform.win32.WinNT.HANDLE;
import io.pipekit.core.PipeException;

/**
 * Reads a connected client's token while impersonating it, and reverts on every path. The Win32
 * calls are behind {@link Steps}, so that a test can make any of them fail midway.
 */
final class ClientTokenRead {

    /** The Win32 calls of reading a client's token; {@link PipeClientToken} makes the real ones. */
    interface Steps {
        /** {@code ImpersonateNamedPipeClient}: whether the thread now impersonates the client. */
        boolean impersonate();

        /** The facts of the token in effect on this thread, the client's while impersonating. */
        Tokens.Facts readEffectiveToken() throws PipeException;

        /** {@code OpenThreadToken} with {@code OpenAsSelf} as given, or {@code null} if Windows refuses. */
        HANDLE openThreadToken(boolean asSelf);

        /** {@code RevertToSelf}; an {@link InternalError} if it fails. */
        void revert();

        /** Closes a token {@link #openThreadToken} opened. */
        void close(HANDLE token);
    }

    /** What was read: the client's facts, or {@code null}; a token kept for runAs, or {@code null}. */
    record Result(Tokens.Facts facts, HANDLE token) {
    }

    private ClientTokenRead() {
    }

    /**
     * Impersonates the client, reads its token and keeps a handle to it, then reverts, whatever
     * happens in between: a failure to read leaves the identity unknown (and closes what was
     * opened), an {@link Error} escapes after the revert.
     *
     * <p>Why the facts come from the effective-token pseudo-handle: {@code OpenThreadToken} is an
     * access check on the client's token object. With {@code OpenAsSelf = TRUE} it is made
     * against the server's process token, which a service account ({@code NT SERVICE\X}) may
     * fail, since the client token's default DACL grants only the client's user, its logon
     * session and SYSTEM; with {@code FALSE} it is made against the thread's context, the client's,
     * which for an identification-level client (pipekit's default) may open nothing. Microsoft's
     * OpenThreadToken documentation describes both. {@code GetCurrentThreadEffectiveToken()} (the
     * pseudo-handle -6) instead "refer[s] to the token that is currently in effect for the
     * thread" with {@code TOKEN_QUERY} access and no access check at all (its documentation,
     * Windows 8 and later): while impersonating, that is the client's token, whoever the server
     * runs as. A real handle is still wanted for runAs, which may happen after the pipe is gone:
     * as self first (works for every level when the server passes the DACL), else in the
     * client's context (works for clients that allow impersonation); when both are refused, the
     * identity is still known and runAs refuses.
     */
    static Result read(Steps steps) {
        if (!steps.impersonate()) {
            return new Result(null, null);
        }
        Tokens.Facts facts = null;
        HANDLE token = null;
        try {
            facts = steps.readEffectiveToken();
            token = steps.openThreadToken(true);
            if (token == null) {
                token = steps.openThreadToken(false);
            }
        } catch (PipeException | RuntimeException unreadable) {
            // what was read stays; what was not is unknown
        } finally {
            steps.revert();
        }
        if (facts == null && token != null) {
            steps.close(token); // no identity, no runAs: a token without facts is of no use
            token = null;
        }
        return new Result(facts, token);
    }
}
