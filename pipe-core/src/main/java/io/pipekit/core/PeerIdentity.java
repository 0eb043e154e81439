package io.pipekit.core;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

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
 *       for a server, its process token.</li>
 *   <li>On Unix domain sockets: the uid, the gid, the user name and, where the OS tells
 *       ({@code SO_PEERCRED} on Linux, {@code LOCAL_PEERPID} on macOS), the process id.
 *       There is no SID, session, elevation or integrity level.</li>
 * </ul>
 *
 * <p>A process id is a hint for logs, not proof: once that process exits, its id may be reused.
 * Decide on the user (its SID or uid), which the kernel took from the peer's credentials.
 */
public final class PeerIdentity {

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

    private final long processId; // -1: unknown
    private final int sessionId; // -1: unknown or not a Windows notion
    private final String user;
    private final String sid;
    private final long uid; // -1: not a Unix peer, or unknown
    private final long gid;
    private final Elevation elevation;
    private final IntegrityLevel integrity;

    private PeerIdentity(long processId, int sessionId, String user, String sid, long uid, long gid, Elevation elevation,
            IntegrityLevel integrity) {
        this.processId = processId;
        this.sessionId = sessionId;
        this.user = user;
        this.sid = sid;
        this.uid = uid;
        this.gid = gid;
        this.elevation = Objects.requireNonNull(elevation, "elevation");
        this.integrity = integrity;
    }

    /**
     * A Windows peer. {@code processId} and {@code sessionId} may be -1 and the others
     * {@code null} where Windows would not tell.
     */
    public static PeerIdentity windows(long processId, int sessionId, String sid, String user, Elevation elevation,
            IntegrityLevel integrity) {
        return new PeerIdentity(processId, sessionId, user, sid, -1, -1, elevation, integrity);
    }

    /** A Unix peer; {@code processId} is -1 where the OS would not tell, {@code user} {@code null} if the uid has no name. */
    public static PeerIdentity unix(long processId, long uid, long gid, String user) {
        return new PeerIdentity(processId, -1, user, null, uid, gid, Elevation.UNKNOWN, null);
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
                && elevation == other.elevation && integrity == other.integrity;
    }

    @Override
    public int hashCode() {
        return Objects.hash(processId, sessionId, user, sid, uid, gid, elevation, integrity);
    }
}
