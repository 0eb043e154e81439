package io.pipekit.core.windows;

import com.sun.jna.platform.win32.Advapi32;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinDef.ULONGByReference;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.platform.win32.WinNT.HANDLE;
import com.sun.jna.ptr.PointerByReference;
import io.pipekit.core.PeerIdentity;
import io.pipekit.core.PeerIdentity.Elevation;
import io.pipekit.core.PipeException;
import io.pipekit.core.ServerTrust;
import io.pipekit.core.transport.ResolvedServerTrust;

/**
 * Who serves a pipe, as a client reads it: the server's process id and session, and the user of
 * its process token. A client may not open the token of a process of another user (a service
 * running as {@code LocalSystem}, say); then the user is the pipe object's owner, which the
 * server's token set when it created the pipe, and elevation is unknown.
 */
public final class PipeServerIdentity {
    private static final int PROCESS_QUERY_LIMITED_INFORMATION = 0x1000;
    private static final int SE_KERNEL_OBJECT = 6;
    private static final int OWNER_SECURITY_INFORMATION = 0x1;

    private static final Kernel32 K = Kernel32.INSTANCE;

    private PipeServerIdentity() {
    }

    /** Reads who serves {@code pipe}, a client's handle. */
    public static PeerIdentity of(HANDLE pipe) throws PipeException {
        ULONGByReference value = new ULONGByReference();
        if (!K.GetNamedPipeServerProcessId(pipe, value)) {
            throw Win32.lastError("GetNamedPipeServerProcessId");
        }
        long pid = value.getValue().longValue();
        int session = K.GetNamedPipeServerSessionId(pipe, value) ? value.getValue().intValue() : -1;
        return identity(pid, session, processTokenFacts((int) pid), () -> ownerSid(pipe));
    }

    /** Where the user comes from when the server process's token cannot be read: the pipe's owner. */
    @FunctionalInterface
    interface PipeOwner {
        String sid() throws PipeException;
    }

    /**
     * The server's identity from its process token's {@code facts} ({@link PeerIdentity.Source#TOKEN}),
     * or, where this client may not open that token ({@code facts} is {@code null}: a service of
     * another user), from the pipe's owner ({@link PeerIdentity.Source#PIPE_OWNER}), with
     * elevation and integrity level unknown. The owner is read only then.
     */
    static PeerIdentity identity(long pid, int session, Tokens.Facts facts, PipeOwner owner) throws PipeException {
        if (facts != null) {
            return facts.identity(pid, session);
        }
        String sid = owner.sid();
        return sid == null ? Tokens.identity(pid, session, null, null, PeerIdentity.Source.UNKNOWN, Elevation.UNKNOWN, null)
                : Tokens.identity(pid, session, sid, Tokens.accountName(sid), PeerIdentity.Source.PIPE_OWNER, Elevation.UNKNOWN, null);
    }

    /**
     * Whether {@code trust} accepts {@code server}: by the SID of its user, and by its integrity
     * level against this process's own ({@link ServerTrustDecision} is the rule); a server whose
     * user is unknown is not accepted.
     *
     * <p>Where this client could read the server's token, the user is that of the process
     * {@code GetNamedPipeServerProcessId} names, which is the process that created the pipe. A
     * process id names a process only while it lives: a squatter that created the pipe, handed
     * its handle to another process and exited could, if a trusted process got its id in the
     * meantime, pass. Where it could not, the user is the pipe's owner and the session the pipe's
     * own, which no process id stands between. Deciding on the owner always would close the gap;
     * it cannot be tested here, since Wine reports a pipe's owner wrongly (the token's primary
     * group, or none), so pipekit does not rely on it yet.
     */
    public static boolean trusted(PeerIdentity server, ResolvedServerTrust trust) throws PipeException {
        if (trust.trust().acceptsAnyServer()) {
            return true;
        }
        PeerIdentity client = Tokens.currentProcessIdentity();
        // The accounts were looked up when the client's builder got the trust: nothing is looked up here.
        return ServerTrustDecision.accepts(trust.trust(), client, server, user -> trust.account(user).orElseThrow());
    }

    /** {@link #trusted(PeerIdentity, ResolvedServerTrust)}, looking {@code trust}'s accounts up first. */
    public static boolean trusted(PeerIdentity server, ServerTrust trust) throws PipeException {
        return trusted(server, ResolvedServerTrust.of(trust));
    }

    /** The facts of the server process's token, or {@code null} if this client may not open it. */
    private static Tokens.Facts processTokenFacts(int pid) {
        HANDLE process = NativeHandles.opened(K.OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, false, pid));
        if (process == null) {
            return null;
        }
        try {
            WinNT.HANDLEByReference token = new WinNT.HANDLEByReference();
            if (!Advapi32.INSTANCE.OpenProcessToken(process, WinNT.TOKEN_QUERY, token)) {
                return null;
            }
            NativeHandles.opened(token.getValue());
            try {
                return Tokens.read(token.getValue());
            } catch (PipeException unreadable) {
                return null;
            } finally {
                NativeHandles.close(token.getValue());
            }
        } finally {
            NativeHandles.close(process);
        }
    }

    /**
     * The SID of the owner of the pipe object {@code pipe} (a client's handle) belongs to, or
     * {@code null} if it has none (Wine gives a pipe created without a security descriptor none).
     */
    static String ownerSid(HANDLE pipe) throws PipeException {
        PointerByReference owner = new PointerByReference();
        PointerByReference descriptor = new PointerByReference();
        int error = Advapi32.INSTANCE.GetSecurityInfo(pipe, SE_KERNEL_OBJECT, OWNER_SECURITY_INFORMATION, owner, null, null, null,
                descriptor);
        if (error != 0) {
            throw Win32.exception("GetSecurityInfo(pipe owner)", error, null);
        }
        try {
            return owner.getValue() == null ? null : Tokens.sidString(new WinNT.PSID(owner.getValue()), "pipe owner");
        } finally {
            K.LocalFree(descriptor.getValue());
        }
    }
}
