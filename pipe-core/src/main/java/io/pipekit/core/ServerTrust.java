package io.pipekit.core;

import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Which servers a client accepts, by the user the server process runs as. The client checks it
 * right after connecting and before it sends anything; a server of another user fails the
 * connect with an {@link UntrustedServerException}.
 *
 * <p>The default, {@link #currentUserOrSystem()}, trusts the identities that already control the
 * client's process anyway: its own user, and the system. It stops a pipe squatter of any other
 * user, such as a low-privileged account that created the name before a service did, and costs
 * a client of a service nothing. A client of a server running as some other user says so with
 * {@link #user}; {@link #anyServer()} turns the check off.
 *
 * <p>What each trust compares. The server's user is the one {@link PeerIdentity#source()} names:
 * on Windows the user of the server's process token ({@code GetNamedPipeServerProcessId}, then
 * {@code OpenProcessToken}), or, where the client may not open that token (a service of another
 * user, seen from a client that is not an administrator), the owner of the pipe object; on Unix
 * the uid the kernel recorded when the server listened ({@code SO_PEERCRED}).
 * <ul>
 *   <li>{@link #currentUser()}: the server's SID is this process's own token's user (on Unix: its
 *       uid is this process's effective uid).</li>
 *   <li>{@link #system()}: on Windows, {@code LocalSystem} as its services' pipes look: the token's
 *       user is {@code S-1-5-18}; or, the token unreadable, the pipe's owner is {@code S-1-5-18},
 *       or is {@code BUILTIN\Administrators} ({@code S-1-5-32-544}, the default owner of what a
 *       {@code LocalSystem} process creates) and the pipe was created in session 0
 *       ({@code GetNamedPipeServerSessionId}), where services run and no interactive user does.
 *       An elevated administrator's pipe is owned by Administrators too, but from session 1 or
 *       above: it is refused. On Unix: uid 0.</li>
 *   <li>{@link #currentUserOrSystem()}: either of the two.</li>
 *   <li>{@link #localService()}, {@link #networkService()}: the token's user, or the pipe's owner,
 *       is {@code S-1-5-19} ({@code NT AUTHORITY\LOCAL SERVICE}) or {@code S-1-5-20}
 *       ({@code NT AUTHORITY\NETWORK SERVICE}): these accounts own what they create. Unix has no
 *       such accounts: they accept no server there.</li>
 *   <li>{@link #user}: the token's user, or the pipe's owner, is that account's SID (on Unix: the
 *       uid is that user's).</li>
 *   <li>{@link #anyServer()}: nothing.</li>
 * </ul>
 * A pipe's owner can be set only to a SID the creating token may own with (its user, or a group
 * such as Administrators that it holds with the owner attribute) or by a process that holds
 * {@code SeRestorePrivilege}: no process of an unprivileged user can make a pipe owned by the
 * system, an administrator or another account.
 *
 * <p>On Windows a trusted user is not enough: by default a server whose token has a lower
 * integrity level than the client's own is refused too, since the user's sandboxed processes
 * (a browser's renderer at {@code LOW}, say) run as that same user and could squat the name.
 * {@link #allowLowerIntegrity()} lifts that for a client that must talk to such a server. A server
 * known only by its pipe's owner has no level to compare: one of another account is judged by its
 * user alone, one of the client's own user is refused. docs/security.md gives the reasons.
 */
public final class ServerTrust {
    private static final String LOCAL_SERVICE = "S-1-5-19";
    private static final String NETWORK_SERVICE = "S-1-5-20";
    private static final ServerTrust DEFAULT = new ServerTrust(false, true, true, List.of(), false);

    private final boolean anyServer;
    private final boolean currentUser;
    private final boolean system;
    private final List<String> users;
    private final boolean lowerIntegrity;

    private ServerTrust(boolean anyServer, boolean currentUser, boolean system, List<String> users, boolean lowerIntegrity) {
        this.anyServer = anyServer;
        this.currentUser = currentUser;
        this.system = system;
        this.users = List.copyOf(users);
        this.lowerIntegrity = lowerIntegrity;
    }

    /** The default: a server running as this process's user ({@link #currentUser()}), or as the system ({@link #system()}). */
    public static ServerTrust currentUserOrSystem() {
        return DEFAULT;
    }

    /**
     * Only a server running as the system: on Windows {@code LocalSystem}, by its token's user or,
     * where the client may not read the token, by its pipe's owner and session (see above); on
     * Unix root.
     *
     * <p>Exactly what passes on Windows: a server whose token's user is {@code S-1-5-18}; or, its
     * token unreadable, a pipe owned by {@code S-1-5-18}, or owned by {@code BUILTIN\Administrators}
     * and created in session 0. The last also accepts an administrator's elevated process running in
     * session 0 (an administrator's SSH logon, a scheduled task run with highest privileges, a
     * service running as an administrator), which Windows cannot tell from {@code LocalSystem} by
     * the pipe alone; an administrator controls the machine anyway (docs/security.md). Refused: the
     * client's own user's processes, and an administrator's elevated processes in an interactive
     * session (1 or above), such as an elevated tool started from the desktop.
     */
    public static ServerTrust system() {
        return new ServerTrust(false, false, true, List.of(), false);
    }

    /**
     * Only a server running as {@code NT AUTHORITY\LOCAL SERVICE} ({@code S-1-5-19}), by its
     * token's user or its pipe's owner: the same as {@code user("S-1-5-19")}. No server on Unix.
     */
    public static ServerTrust localService() {
        return user(LOCAL_SERVICE);
    }

    /**
     * Only a server running as {@code NT AUTHORITY\NETWORK SERVICE} ({@code S-1-5-20}), by its
     * token's user or its pipe's owner: the same as {@code user("S-1-5-20")}. No server on Unix.
     */
    public static ServerTrust networkService() {
        return user(NETWORK_SERVICE);
    }

    /** Only a server running as this process's user ({@link PeerIdentity#currentProcess()}'s SID, or uid). */
    public static ServerTrust currentUser() {
        return new ServerTrust(false, true, false, List.of(), false);
    }

    /**
     * Only a server running as {@code user}: on Windows an account name ({@code DOMAIN\name} or
     * {@code name}) or a SID, compared with the server's token's user or its pipe's owner; on Unix
     * a user name or a uid (a SID names no account there: no server passes). The name is looked
     * up when a client's builder gets the trust ({@code PipeClient.Builder.serverTrust}), which
     * refuses an account the system does not know with an {@link IllegalArgumentException} naming
     * it, the same on both transports. For {@code LocalSystem}, {@link #system()} is the one that accepts its
     * services as a non-administrator client sees them: {@code user("S-1-5-18")} refuses a pipe
     * owned by Administrators.
     */
    public static ServerTrust user(String user) {
        return new ServerTrust(false, false, false, List.of(requireUser(user)), false);
    }

    /** Any server at all: no check. For a server whose user cannot be known in advance. */
    public static ServerTrust anyServer() {
        return new ServerTrust(true, false, false, List.of(), true);
    }

    /** This trust, and a server running as {@code user} too. */
    public ServerTrust orUser(String user) {
        return anyServer ? this : new ServerTrust(false, currentUser, system,
                Stream.concat(users.stream(), Stream.of(requireUser(user))).toList(), lowerIntegrity);
    }

    /**
     * This trust, but a trusted user's server is accepted on Windows even when its integrity level
     * is below the client's own: an elevated ({@code HIGH}) client of its user's ordinary
     * ({@code MEDIUM}) server, say. It gives up the check that stops the user's own sandboxed
     * processes from squatting the name; see docs/security.md.
     */
    public ServerTrust allowLowerIntegrity() {
        return anyServer ? this : new ServerTrust(false, currentUser, system, users, true);
    }

    /** Whether a server below the client's own integrity level may be accepted (Windows; Unix has no such levels). */
    public boolean acceptsLowerIntegrity() {
        return lowerIntegrity;
    }

    /** Whether every server is accepted, unchecked. */
    public boolean acceptsAnyServer() {
        return anyServer;
    }

    /** Whether a server of this process's user is accepted. */
    public boolean acceptsCurrentUser() {
        return currentUser;
    }

    /** Whether a server running as the system is accepted ({@link #system()} says how it is recognised). */
    public boolean acceptsSystem() {
        return system;
    }

    /**
     * The users named with {@link #user} and {@link #orUser}, as given; {@link #localService()} and
     * {@link #networkService()} add their SIDs.
     */
    public List<String> users() {
        return users;
    }

    /**
     * In words, for messages: "running as the current user or the system (on Windows, at no lower
     * integrity level than this client)", say.
     */
    public String describe() {
        if (anyServer) {
            return "any server";
        }
        List<String> who = Stream.concat(Stream.of(currentUser ? "the current user" : null, system ? "the system" : null)
                .filter(Objects::nonNull), users.stream().map(ServerTrust::named)).toList();
        return "running as " + String.join(" or ", who) + (lowerIntegrity ? "" : " (on Windows, at no lower integrity level than this client)");
    }

    @Override
    public String toString() {
        return describe();
    }

    /** A well-known service account's SID with its name, for messages; any other user as given. */
    private static String named(String user) {
        return user.equals(LOCAL_SERVICE) ? "LocalService (" + user + ")"
                : user.equals(NETWORK_SERVICE) ? "NetworkService (" + user + ")" : user;
    }

    private static String requireUser(String user) {
        if (Objects.requireNonNull(user, "user").isBlank()) {
            throw new IllegalArgumentException("a user name must not be blank");
        }
        return user;
    }
}
