package io.pipekit.core;

import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Who is at the other end of a connection, as the operating system vouches for it: the
 * client's identity on a server, the server's on a client. Read once, when the connection is
 * made, and fixed from then on.
 *
 * <p>Each fact is either known or says plainly that it is not, never a sentinel such as -1:
 * <ul>
 *   <li>On Windows named pipes: the process id, the session id, the user's SID and
 *       {@code DOMAIN\name}, whether the token is elevated, and its integrity level, all read
 *       from the peer's token (read while impersonating it, {@code ImpersonateNamedPipeClient}) or,
 *       for a server, its process token. A client that may not open the server's process token
 *       (a service of another user) takes the user from the pipe's owner instead, and then knows
 *       neither elevation nor integrity level.</li>
 *   <li>On Unix domain sockets: the uid, the gid, the user name and, where the OS tells
 *       ({@code SO_PEERCRED} on Linux, {@code LOCAL_PEERPID} on macOS), the process id.
 *       There is no SID, session, elevation or integrity level.</li>
 * </ul>
 * {@link #source()} says which of these the user came from.
 *
 * <p>A process id is a hint for logs, not proof: once that process exits, its id may be reused.
 * Decide on the user (its SID or uid), which the kernel took from the peer's credentials.
 *
 * <p>An identity is an immutable value, and serializable (an {@link UntrustedServerException}
 * carries one): it is read back through the same checks as {@link #windowsBuilder()} and
 * {@link #unixBuilder()} make, and a stream whose facts do not fit is refused with an
 * {@link InvalidObjectException}.
 */
public final class PeerIdentity implements Serializable {
    private static final long serialVersionUID = 1L;
    /** A SID string; its authority is in hex when it does not fit 32 bits, as {@code ConvertSidToStringSid} writes it. */
    private static final Pattern SID = Pattern.compile("S-1-(\\d+|0x[0-9A-Fa-f]{12})(-\\d+)*");

    /** Whether the peer's token is elevated (an administrator's full token, under UAC). */
    public enum Elevation {
        YES, NO, UNKNOWN;

        /** {@code yes}, {@code no} or {@code unknown}, as {@code pipe-server --whoami} prints it. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A Windows token's mandatory integrity level, from its label SID ({@code S-1-16-<rid>}). */
    public enum IntegrityLevel {
        UNTRUSTED(0x0000), LOW(0x1000), MEDIUM(0x2000), MEDIUM_PLUS(0x2100), HIGH(0x3000), SYSTEM(0x4000), PROTECTED(0x5000);

        private final int rid;

        IntegrityLevel(int rid) {
            this.rid = rid;
        }

        /** The level of a label SID's last sub-authority: the highest level at or below {@code rid}. */
        public static IntegrityLevel ofRid(long rid) {
            IntegrityLevel level = UNTRUSTED;
            for (IntegrityLevel candidate : values()) {
                if (candidate.rid <= rid) {
                    level = candidate;
                }
            }
            return level;
        }
    }

    /** Where the user (the SID or the uid) came from. */
    public enum Source {
        /**
         * The peer's access token: on a server, the client's token, read while impersonating it;
         * on a client, the server's process token; for {@link #currentProcess()} on Windows, this
         * process's own token. Elevation and integrity level come from it too.
         */
        TOKEN,
        /**
         * The owner of the pipe object: a Windows client's fallback when it may not open the
         * server's process token (a service of another user). It is the default owner of the token
         * that created the pipe, which is not always its user: a {@code LocalSystem} service's
         * pipe is usually owned by {@code BUILTIN\Administrators} ({@code S-1-5-32-544}).
         * Elevation and integrity level are unknown.
         */
        PIPE_OWNER,
        /**
         * The kernel's credentials of a Unix process: a socket peer's as the kernel recorded them
         * when it connected or listened ({@code SO_PEERCRED}), or this process's own effective ids
         * for {@link #currentProcess()}.
         */
        UNIX_CREDENTIALS,
        /** No user was found: the SID (or uid) is empty. */
        UNKNOWN
    }

    private final long processId; // -1: unknown
    private final int sessionId; // -1: unknown or not a Windows notion
    private final String user;
    private final String sid;
    private final long uid; // -1: not a Unix peer, or unknown
    private final long gid;
    private final Elevation elevation;
    private final IntegrityLevel integrity;
    private final Source source;

    private PeerIdentity(long processId, int sessionId, String user, String sid, long uid, long gid, Elevation elevation,
            IntegrityLevel integrity, Source source) {
        this.processId = processId;
        this.sessionId = sessionId;
        this.user = user;
        this.sid = sid;
        this.uid = uid;
        this.gid = gid;
        this.elevation = Objects.requireNonNull(elevation, "elevation");
        this.integrity = integrity;
        this.source = source;
    }

    /**
     * A builder of a Windows peer's identity, each fact set by name; a fact left unset is
     * unknown. For fakes and tests of code that decides on identities (an
     * {@code Admission}, say); pipekit itself reads identities from the operating system.
     *
     * <pre>{@code
     * PeerIdentity alice = PeerIdentity.windowsBuilder()
     *         .processId(4242).sessionId(1)
     *         .sid("S-1-5-21-1-2-3-1001", PeerIdentity.Source.TOKEN).user("HOST\\alice")
     *         .elevation(PeerIdentity.Elevation.NO).integrityLevel(PeerIdentity.IntegrityLevel.MEDIUM)
     *         .build();
     * }</pre>
     */
    public static WindowsBuilder windowsBuilder() {
        return new WindowsBuilder();
    }

    /**
     * A builder of a Unix peer's identity, each fact set by name; a fact left unset is unknown,
     * and without a uid the user is unknown ({@link Source#UNKNOWN}). For fakes and tests, as
     * {@link #windowsBuilder()}.
     */
    public static UnixBuilder unixBuilder() {
        return new UnixBuilder();
    }

    /**
     * This process, as a peer would see it: on Windows its process id, session, and its process
     * token's user, elevation and integrity level; on Unix its process id and its effective uid
     * and gid, with the uid's user name. Read anew at each call. It is what
     * {@link ServerTrust#currentUser()} compares a server with, and what a server's
     * {@code Admission.sameUser()} compares a client with.
     *
     * @throws PipeException if Windows will not let this process read its own token (it always
     *         does, short of a broken system)
     */
    public static PeerIdentity currentProcess() throws PipeException {
        return Transport.forThisOs() == Transport.WINDOWS_NAMED_PIPES ? io.pipekit.core.windows.Tokens.currentProcessIdentity()
                : io.pipekit.core.unix.PeerCredentials.currentProcess();
    }

    /** The peer's process id, if the OS told it. */
    public OptionalLong processId() {
        return processId < 0 ? OptionalLong.empty() : OptionalLong.of(processId);
    }

    /** The Windows session (Terminal Services) the peer runs in. Empty on Unix. */
    public OptionalInt sessionId() {
        return sessionId < 0 ? OptionalInt.empty() : OptionalInt.of(sessionId);
    }

    /** The user: {@code DOMAIN\name} on Windows, the login name on Unix. */
    public Optional<String> user() {
        return Optional.ofNullable(user);
    }

    /** The user's SID as a string, such as {@code S-1-5-21-…-1001}. Empty on Unix. */
    public Optional<String> sid() {
        return Optional.ofNullable(sid);
    }

    /** The user id. Empty on Windows. */
    public OptionalLong uid() {
        return uid < 0 ? OptionalLong.empty() : OptionalLong.of(uid);
    }

    /** The primary group id. Empty on Windows. */
    public OptionalLong gid() {
        return gid < 0 ? OptionalLong.empty() : OptionalLong.of(gid);
    }

    /** Whether the peer's token is elevated; {@link Elevation#UNKNOWN} on Unix. */
    public Elevation elevation() {
        return elevation;
    }

    /** The token's integrity level. Empty on Unix. */
    public Optional<IntegrityLevel> integrityLevel() {
        return Optional.ofNullable(integrity);
    }

    /**
     * Where the user came from: the peer's token, the pipe's owner (a Windows client's fallback,
     * which knows no elevation or integrity level), or the Unix kernel's credentials. A trust
     * decision may weigh them differently: {@link ServerTrust#system()} does.
     */
    public Source source() {
        return source;
    }

    /**
     * One line: {@code pid=<n> user=<name> sid=<S-1-...> elevated=<yes|no|unknown>} on Windows,
     * {@code pid=<n> user=<name> uid=<n> elevated=unknown} on Unix; an unknown value reads
     * {@code unknown}. This is what {@code pipe-server --whoami} answers.
     */
    public String describe() {
        StringBuilder line = new StringBuilder()
                .append("pid=").append(processId < 0 ? "unknown" : Long.toString(processId))
                .append(" user=").append(user == null ? "unknown" : user);
        if (uid >= 0) {
            line.append(" uid=").append(uid);
        } else {
            line.append(" sid=").append(sid == null ? "unknown" : sid);
        }
        return line.append(" elevated=").append(elevation.label()).toString();
    }

    @Override
    public String toString() {
        return describe();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PeerIdentity other && processId == other.processId && sessionId == other.sessionId
                && uid == other.uid && gid == other.gid && Objects.equals(user, other.user) && Objects.equals(sid, other.sid)
                && elevation == other.elevation && integrity == other.integrity && source == other.source;
    }

    @Override
    public int hashCode() {
        return Objects.hash(processId, sessionId, user, sid, uid, gid, elevation, integrity, source);
    }

    /** Serialized as its facts alone, and read back through a builder's checks. */
    private Object writeReplace() {
        return new Serialized(processId, sessionId, user, sid, uid, gid, elevation, integrity, source);
    }

    private void readObject(ObjectInputStream in) throws InvalidObjectException {
        throw new InvalidObjectException("a PeerIdentity is read through its serialized form");
    }

    /** The serialized form of a {@link PeerIdentity}: its facts, -1 or {@code null} where unknown. */
    private static final class Serialized implements Serializable {
        private static final long serialVersionUID = 1L;

        private final long processId;
        private final int sessionId;
        private final String user;
        private final String sid;
        private final long uid;
        private final long gid;
        private final Elevation elevation;
        private final IntegrityLevel integrity;
        private final Source source;

        Serialized(long processId, int sessionId, String user, String sid, long uid, long gid, Elevation elevation,
                IntegrityLevel integrity, Source source) {
            this.processId = processId;
            this.sessionId = sessionId;
            this.user = user;
            this.sid = sid;
            this.uid = uid;
            this.gid = gid;
            this.elevation = elevation;
            this.integrity = integrity;
            this.source = source;
        }

        /**
         * The identity, built as pipekit builds it. A fact with no Windows notion in it (no SID,
         * session, elevation or level) reads as a Unix identity, which for an all-unknown or a
         * pid-only identity is the same value.
         */
        private Object readResolve() throws InvalidObjectException {
            try {
                return windowsOnly() ? windows() : unix();
            } catch (IllegalArgumentException | NullPointerException unfit) {
                InvalidObjectException refused = new InvalidObjectException("a serialized PeerIdentity whose facts do not fit: "
                        + unfit.getMessage());
                refused.initCause(unfit);
                throw refused;
            }
        }

        private boolean windowsOnly() {
            return sid != null || sessionId >= 0 || integrity != null || elevation != Elevation.UNKNOWN
                    || source == Source.TOKEN || source == Source.PIPE_OWNER;
        }

        private PeerIdentity windows() {
            if (uid >= 0 || gid >= 0) {
                throw new IllegalArgumentException("a Windows peer has no uid or gid");
            }
            WindowsBuilder identity = windowsBuilder().elevation(elevation);
            if (processId >= 0) {
                identity.processId(processId);
            }
            if (sessionId >= 0) {
                identity.sessionId(sessionId);
            }
            if (sid != null || source != Source.UNKNOWN) {
                identity.sid(sid, source);
            }
            if (user != null) {
                identity.user(user);
            }
            if (integrity != null) {
                identity.integrityLevel(integrity);
            }
            return identity.build();
        }

        private PeerIdentity unix() {
            PeerIdentity built = io.pipekit.core.unix.PeerCredentials.identity(processId, uid, gid, user);
            if (built.source != source) {
                throw new IllegalArgumentException("a Unix peer's user comes from " + built.source + ", not " + source);
            }
            return built;
        }
    }

    /**
     * Builds the identity of a Windows peer. Each setter refuses a value that cannot be a fact
     * (a negative id, a null, a string that is not a SID) at once; {@link #build()} refuses facts
     * that do not fit together. Unset facts are unknown: the process id, the session, the user
     * (then {@link Source#UNKNOWN}), the account name, the elevation ({@link Elevation#UNKNOWN})
     * and the integrity level.
     */
    public static final class WindowsBuilder {
        private long processId = -1;
        private int sessionId = -1;
        private String sid;
        private Source source = Source.UNKNOWN;
        private String user;
        private Elevation elevation = Elevation.UNKNOWN;
        private IntegrityLevel integrity;

        private WindowsBuilder() {
        }

        /**
         * The peer's process id.
         *
         * @throws IllegalArgumentException if negative
         */
        public WindowsBuilder processId(long processId) {
            this.processId = notNegative(processId, "processId");
            return this;
        }

        /**
         * The Windows session the peer runs in.
         *
         * @throws IllegalArgumentException if negative
         */
        public WindowsBuilder sessionId(int sessionId) {
            this.sessionId = (int) notNegative(sessionId, "sessionId");
            return this;
        }

        /**
         * The user's SID ({@code S-1-5-21-…-1001}) and where it came from: {@link Source#TOKEN}
         * or {@link Source#PIPE_OWNER}. Unset, the user is unknown ({@link Source#UNKNOWN}).
         *
         * @throws IllegalArgumentException if {@code sid} is not a SID string ({@code S-1-...}:
         *     an account name given here by mistake, say) or {@code source} is not one of those two
         */
        public WindowsBuilder sid(String sid, Source source) {
            Objects.requireNonNull(sid, "sid");
            Objects.requireNonNull(source, "source");
            if (!SID.matcher(sid).matches()) {
                throw new IllegalArgumentException("not a SID string (S-1-<authority>-<sub-authorities>): \"" + sid + "\"");
            }
            if (source != Source.TOKEN && source != Source.PIPE_OWNER) {
                throw new IllegalArgumentException("a Windows peer's SID comes from its TOKEN or its PIPE_OWNER, not " + source);
            }
            this.sid = sid;
            this.source = source;
            return this;
        }

        /** The user's account name, {@code DOMAIN\name}: known only with a {@link #sid SID}. */
        public WindowsBuilder user(String user) {
            this.user = Objects.requireNonNull(user, "user");
            return this;
        }

        /** Whether the token is elevated: known only for a user from the {@link Source#TOKEN token}. */
        public WindowsBuilder elevation(Elevation elevation) {
            this.elevation = Objects.requireNonNull(elevation, "elevation");
            return this;
        }

        /** The token's integrity level: known only for a user from the {@link Source#TOKEN token}. */
        public WindowsBuilder integrityLevel(IntegrityLevel integrity) {
            this.integrity = Objects.requireNonNull(integrity, "integrityLevel");
            return this;
        }

        /**
         * The identity.
         *
         * @throws IllegalArgumentException if an account name was set without a SID, or an
         *     elevation or integrity level without a user from the token (the pipe's owner says
         *     neither)
         */
        public PeerIdentity build() {
            if (user != null && sid == null) {
                throw new IllegalArgumentException("an account name (" + user + ") without its SID: set sid(...) too");
            }
            if (source != Source.TOKEN && (elevation != Elevation.UNKNOWN || integrity != null)) {
                throw new IllegalArgumentException("elevation and integrity level come from the peer's token, and the user is "
                        + (sid == null ? "unknown" : "the pipe's owner") + ": leave them unset");
            }
            return new PeerIdentity(processId, sessionId, user, sid, -1, -1, elevation, integrity, source);
        }
    }

    /**
     * Builds the identity of a Unix peer. Each setter refuses a negative id or a null at once.
     * Unset facts are unknown: the process id, the uid (then the user is {@link Source#UNKNOWN}),
     * the gid and the user name; with a uid the source is {@link Source#UNIX_CREDENTIALS}. There is
     * no SID, session, elevation or integrity level.
     */
    public static final class UnixBuilder {
        private long processId = -1;
        private long uid = -1;
        private long gid = -1;
        private String user;

        private UnixBuilder() {
        }

        /**
         * The peer's process id.
         *
         * @throws IllegalArgumentException if negative
         */
        public UnixBuilder processId(long processId) {
            this.processId = notNegative(processId, "processId");
            return this;
        }

        /**
         * The user id.
         *
         * @throws IllegalArgumentException if negative
         */
        public UnixBuilder uid(long uid) {
            this.uid = notNegative(uid, "uid");
            return this;
        }

        /**
         * The primary group id.
         *
         * @throws IllegalArgumentException if negative
         */
        public UnixBuilder gid(long gid) {
            this.gid = notNegative(gid, "gid");
            return this;
        }

        /** The user's login name. */
        public UnixBuilder user(String user) {
            this.user = Objects.requireNonNull(user, "user");
            return this;
        }

        /** The identity; its source is {@link Source#UNIX_CREDENTIALS} with a uid, {@link Source#UNKNOWN} without. */
        public PeerIdentity build() {
            return new PeerIdentity(processId, -1, user, null, uid, gid, Elevation.UNKNOWN, null,
                    uid < 0 ? Source.UNKNOWN : Source.UNIX_CREDENTIALS);
        }
    }

    private static long notNegative(long value, String fact) {
        if (value < 0) {
            throw new IllegalArgumentException(fact + " must not be negative, got " + value + ": leave it unset if it is unknown");
        }
        return value;
    }
}
