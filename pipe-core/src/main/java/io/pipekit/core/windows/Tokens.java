package io.pipekit.core.windows;

import com.sun.jna.platform.win32.Advapi32;
import com.sun.jna.platform.win32.Advapi32Util;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.Win32Exception;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.platform.win32.WinNT.HANDLE;
import com.sun.jna.ptr.IntByReference;
import io.pipekit.core.PeerIdentity;
import io.pipekit.core.PeerIdentity.Elevation;
import io.pipekit.core.PeerIdentity.IntegrityLevel;
import io.pipekit.core.PipeException;
import io.pipekit.core.Win32Errors;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads who an access token stands for: its user's SID and account name, whether it is
 * elevated, and its integrity level. The token must be open for {@code TOKEN_QUERY}.
 */
public final class Tokens {
    /** {@code LocalSystem}: the account of most services. */
    public static final String SYSTEM_SID = "S-1-5-18";
    /** {@code BUILTIN\Administrators}: the owner of what an elevated administrator or a service creates. */
    public static final String ADMINISTRATORS_SID = "S-1-5-32-544";
    /** {@code NT AUTHORITY\LOCAL SERVICE}. */
    public static final String LOCAL_SERVICE_SID = "S-1-5-19";
    /** {@code NT AUTHORITY\NETWORK SERVICE}. */
    public static final String NETWORK_SERVICE_SID = "S-1-5-20";

    private static final Advapi32 A = Advapi32.INSTANCE;
    private static final int MAX_ACCOUNT_NAMES = 1024;
    private static final Map<String, Optional<String>> ACCOUNT_NAMES = new ConcurrentHashMap<>();

    private Tokens() {
    }

    /** What a token says about its user; {@code name} is {@code null} when the SID maps to no account. */
    public record Facts(String sid, String name, Elevation elevation, IntegrityLevel integrity) {
        /** These facts as the identity of a Windows peer, its user read from its token. */
        public PeerIdentity identity(long processId, int sessionId) {
            return Tokens.identity(processId, sessionId, sid, name, PeerIdentity.Source.TOKEN, elevation, integrity);
        }

        /** These facts with the account name of their SID looked up ({@link #accountName}). */
        public Facts named() {
            return new Facts(sid, accountName(sid), elevation, integrity);
        }
    }

    /**
     * A Windows peer's identity from what Windows told, {@code -1} or {@code null} where it would
     * not: the public builder takes only known facts, so the unknown ones are left unset here.
     * {@code source} is {@link PeerIdentity.Source#UNKNOWN} exactly when {@code sid} is null.
     */
    static PeerIdentity identity(long processId, int sessionId, String sid, String name, PeerIdentity.Source source,
            Elevation elevation, IntegrityLevel integrity) {
        PeerIdentity.WindowsBuilder identity = PeerIdentity.windowsBuilder().elevation(elevation);
        if (processId >= 0) {
            identity.processId(processId);
        }
        if (sessionId >= 0) {
            identity.sessionId(sessionId);
        }
        if (sid != null) {
            identity.sid(sid, source);
        }
        if (name != null) {
            identity.user(name);
        }
        if (integrity != null) {
            identity.integrityLevel(integrity);
        }
        return identity.build();
    }

    /** Reads {@code token}'s facts. The user is required; elevation and integrity are unknown where the token will not say. */
    public static Facts read(HANDLE token) throws PipeException {
        return readUnnamed(token).named();
    }

    /**
     * Reads {@code token}'s facts but not its account name, which stays {@code null}: for a thread
     * that impersonates an identification-level client, which should ask nothing more of Windows
     * than its own token until it reverts ({@link Facts#named()} then).
     */
    public static Facts readUnnamed(HANDLE token) throws PipeException {
        return new Facts(userSid(token), null, elevation(token), integrity(token));
    }

    /** The SID of the user this process runs as. */
    public static String currentUserSid() throws PipeException {
        return fromProcessToken(Tokens::userSid);
    }

    /** What this process's own token says: its user, elevation and integrity level. */
    public static Facts currentProcess() throws PipeException {
        return fromProcessToken(Tokens::read);
    }

    /** This process as a peer sees it: its id, its session, and what its token says ({@link PeerIdentity#currentProcess()}). */
    public static PeerIdentity currentProcessIdentity() throws PipeException {
        int pid = Kernel32.INSTANCE.GetCurrentProcessId();
        IntByReference session = new IntByReference();
        return currentProcess().identity(pid, Kernel32.INSTANCE.ProcessIdToSessionId(pid, session) ? session.getValue() : -1);
    }

    private interface TokenReader<T> {
        T read(HANDLE token) throws PipeException;
    }

    private static <T> T fromProcessToken(TokenReader<T> reader) throws PipeException {
        WinNT.HANDLEByReference token = new WinNT.HANDLEByReference();
        if (!A.OpenProcessToken(Kernel32.INSTANCE.GetCurrentProcess(), WinNT.TOKEN_QUERY, token)) {
            throw Win32.lastError("OpenProcessToken");
        }
        NativeHandles.opened(token.getValue());
        try {
            return reader.read(token.getValue());
        } finally {
            NativeHandles.close(token.getValue());
        }
    }

    /**
     * {@code DOMAIN\name} of a SID, or {@code null} if no account has it. Remembered per SID: for a
     * domain account {@code LookupAccountSid} may ask a domain controller, and the server thread
     * asks it for every client that connects.
     */
    public static String accountName(String sid) {
        Optional<String> known = ACCOUNT_NAMES.get(sid);
        if (known != null) {
            return known.orElse(null);
        }
        String name;
        try {
            Advapi32Util.Account account = Advapi32Util.getAccountBySid(sid);
            name = account.domain == null || account.domain.isEmpty() ? account.name : account.domain + "\\" + account.name;
        } catch (Win32Exception unknown) {
            name = null;
        }
        if (ACCOUNT_NAMES.size() >= MAX_ACCOUNT_NAMES) {
            ACCOUNT_NAMES.clear(); // a machine has few accounts; this only bounds a pathological many
        }
        ACCOUNT_NAMES.put(sid, Optional.ofNullable(name));
        return name;
    }


    /**
     * The SID of an account given by name ({@code DOMAIN\name}, or {@code name}) or already as a
     * SID string ({@code S-1-...}), which is returned as it is. An account Windows does not know
     * is a {@link io.pipekit.core.PipeIoException} carrying {@code ERROR_NONE_MAPPED}, which
     * {@link io.pipekit.core.transport.ResolvedServerTrust} turns into the client builder's
     * refusal of the trust, naming the account.
     */
    public static String sidOf(String account) throws PipeException {
        if (account.regionMatches(true, 0, "S-1-", 0, 4)) {
            return account.toUpperCase(java.util.Locale.ROOT);
        }
        try {
            return Advapi32Util.getAccountByName(account).sidString;
        } catch (Win32Exception e) {
            throw Win32.exception("LookupAccountName \"" + account + "\"", e.getErrorCode(),
                    e.getErrorCode() == Win32Errors.ERROR_NONE_MAPPED ? "no such account" : null);
        }
    }

    private static String userSid(HANDLE token) throws PipeException {
        IntByReference size = new IntByReference();
        A.GetTokenInformation(token, WinNT.TOKEN_INFORMATION_CLASS.TokenUser, null, 0, size);
        if (size.getValue() <= 0) {
            throw Win32.lastError("GetTokenInformation(TokenUser)");
        }
        WinNT.TOKEN_USER user = new WinNT.TOKEN_USER(size.getValue());
        if (!A.GetTokenInformation(token, WinNT.TOKEN_INFORMATION_CLASS.TokenUser, user, size.getValue(), size)) {
            throw Win32.lastError("GetTokenInformation(TokenUser)");
        }
        user.read();
        return sidString(user.User.Sid, "TokenUser");
    }

    /** A SID as a string; jna-platform throws an unchecked Win32Exception, made a PipeException here. */
    static String sidString(WinNT.PSID sid, String what) throws PipeException {
        try {
            return Advapi32Util.convertSidToStringSid(sid);
        } catch (Win32Exception e) {
            throw Win32.exception("ConvertSidToStringSid(" + what + ")", e.getErrorCode(), "not a valid SID");
        }
    }

    private static Elevation elevation(HANDLE token) {
        WinNT.TOKEN_ELEVATION elevation = new WinNT.TOKEN_ELEVATION();
        IntByReference size = new IntByReference();
        if (!A.GetTokenInformation(token, WinNT.TOKEN_INFORMATION_CLASS.TokenElevation, elevation, elevation.size(), size)) {
            return Elevation.UNKNOWN;
        }
        elevation.read();
        return elevation.TokenIsElevated != 0 ? Elevation.YES : Elevation.NO;
    }

    private static IntegrityLevel integrity(HANDLE token) {
        IntByReference size = new IntByReference();
        A.GetTokenInformation(token, WinNT.TOKEN_INFORMATION_CLASS.TokenIntegrityLevel, null, 0, size);
        if (size.getValue() <= 0) {
            return null;
        }
        // TOKEN_MANDATORY_LABEL is one SID_AND_ATTRIBUTES, as TOKEN_USER is: the same structure reads it.
        WinNT.TOKEN_USER label = new WinNT.TOKEN_USER(size.getValue());
        if (!A.GetTokenInformation(token, WinNT.TOKEN_INFORMATION_CLASS.TokenIntegrityLevel, label, size.getValue(), size)) {
            return null;
        }
        label.read();
        try {
            String sid = sidString(label.User.Sid, "TokenIntegrityLevel"); // S-1-16-<rid>
            return IntegrityLevel.ofRid(Long.parseLong(sid.substring(sid.lastIndexOf('-') + 1)));
        } catch (PipeException | NumberFormatException notALabel) {
            return null;
        }
    }
}
