package io.pipekit.core.transport;

import io.pipekit.core.PipeException;
import io.pipekit.core.ServerTrust;
import io.pipekit.core.Transport;
import io.pipekit.core.Win32Errors;
import io.pipekit.core.unix.PeerCredentials;
import io.pipekit.core.windows.Tokens;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A {@link ServerTrust} with each account it names looked up once, in this system's accounts: on
 * Windows its SID ({@code LookupAccountName}; a SID string is taken as it is), on Unix its uid
 * ({@code getpwnam}; a number is a uid). A client resolves its trust when its builder gets it, so
 * that an account this system does not know is refused there, naming the account, the same way on
 * both transports, and the connect itself looks nothing up.
 *
 * <p>A SID names no account on Unix, which has none: {@link ServerTrust#localService()}'s and
 * {@link ServerTrust#networkService()}'s SIDs, or any other, resolve to nothing there and accept no
 * server, as their javadoc says.
 */
public final class ResolvedServerTrust {
    /** A SID string; its authority is in hex when it does not fit 32 bits, as {@code ConvertSidToStringSid} writes it. */
    private static final Pattern SID = Pattern.compile("S-1-(\\d+|0x[0-9a-f]{12})(-\\d+)*", Pattern.CASE_INSENSITIVE);
    /** The largest uid: (uid_t) -1 is "no uid". */
    private static final long MAX_UID = 0xFFFF_FFFEL;

    private final ServerTrust trust;
    private final Map<String, Optional<String>> accounts;

    private ResolvedServerTrust(ServerTrust trust, Map<String, Optional<String>> accounts) {
        this.trust = trust;
        this.accounts = accounts;
    }

    /**
     * {@code trust} with its accounts looked up on this operating system.
     *
     * @throws IllegalArgumentException naming the account, if this system does not know an
     *     account the trust names, or could not look it up (a domain controller out of reach, say:
     *     the message carries Windows' error code)
     */
    public static ResolvedServerTrust of(ServerTrust trust) {
        Objects.requireNonNull(trust, "serverTrust");
        boolean windows = Transport.forThisOs() == Transport.WINDOWS_NAMED_PIPES;
        Map<String, Optional<String>> accounts = new LinkedHashMap<>();
        for (String user : trust.users()) {
            accounts.put(user, windows ? Optional.of(windowsSid(user)) : unixUid(user));
        }
        return new ResolvedServerTrust(trust, Map.copyOf(accounts));
    }

    /** The trust as the caller gave it. */
    public ServerTrust trust() {
        return trust;
    }

    /**
     * What {@code user}, one of {@link ServerTrust#users()}, resolved to: a SID string on Windows,
     * a uid in decimal on Unix; empty for a SID on Unix, which names no account there.
     */
    public Optional<String> account(String user) {
        Optional<String> account = accounts.get(user);
        if (account == null) {
            throw new IllegalArgumentException(user + " is not one of the trust's users " + trust.users());
        }
        return account;
    }

    private static String windowsSid(String user) {
        if (user.regionMatches(true, 0, "S-1-", 0, 4)) {
            if (!SID.matcher(user).matches()) {
                throw new IllegalArgumentException("serverTrust names \"" + user + "\", which is not a valid SID string");
            }
            return user.toUpperCase(Locale.ROOT);
        }
        try {
            return Tokens.sidOf(user);
        } catch (PipeException e) {
            throw new IllegalArgumentException("serverTrust names the account \"" + user + "\", which "
                    + (e.code() == Win32Errors.ERROR_NONE_MAPPED ? "Windows does not know (" + e.symbolicName() + ", " + e.code() + ")"
                            : "could not be looked up: " + e.getMessage()), e);
        }
    }

    private static Optional<String> unixUid(String user) {
        if (SID.matcher(user).matches()) {
            return Optional.empty(); // a Windows account: no server here runs as it
        }
        if (!user.isEmpty() && user.chars().allMatch(c -> c >= '0' && c <= '9')
                && (user.length() > 10 || Long.parseLong(user) > MAX_UID)) {
            throw new IllegalArgumentException("serverTrust names the uid " + user + ", which is no uid (0 to " + MAX_UID + ")");
        }
        return Optional.of(Long.toString(PeerCredentials.uidOf(user).orElseThrow(() -> new IllegalArgumentException(
                "serverTrust names the user \"" + user + "\", which this system does not know (no such account, nor a uid)"))));
    }
}
