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
 * client's process anyway: its own user, and the system (Windows' {@code LocalSystem}, or a pipe
 * owned by {@code BUILTIN\Administrators}; Unix's root). It stops a pipe squatter of any other
 * user, such as a low-privileged account that created the name before a service did, and costs
 * a client of a service nothing. A client of a server running as some other user says so with
 * {@link #user}; {@link #anyServer()} turns the check off.
 *
 * <p>On Windows a trusted user is not enough: by default a server whose token has a lower
 * integrity level than the client's own is refused too, since the user's sandboxed processes
 * (a browser's renderer at {@code LOW}, say) run as that same user and could squat the name.
 * {@link #allowLowerIntegrity()} lifts that for a client that must talk to such a server.
 */
public final class ServerTrust {
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

    /** The default: a server running as this process's user, or as the system. */
    public static ServerTrust currentUserOrSystem() {
        return DEFAULT;
    }

    /** Only a server running as this process's user. */
    public static ServerTrust currentUser() {
        return new ServerTrust(false, true, false, List.of(), false);
    }

    /**
     * Only a server running as {@code user}: on Windows an account name ({@code DOMAIN\name} or
     * {@code name}) or a SID ({@code S-1-5-18}); on Unix a user name or a uid.
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

    /** Whether a server running as the system (LocalSystem or Administrators; root) is accepted. */
    public boolean acceptsSystem() {
        return system;
    }

    /** The users named with {@link #user} and {@link #orUser}, as given. */
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
                .filter(Objects::nonNull), users.stream()).toList();
        return "running as " + String.join(" or ", who) + (lowerIntegrity ? "" : " (on Windows, at no lower integrity level than this client)");
    }

    @Override
    public String toString() {
        return describe();
    }

    private static String requireUser(String user) {
        if (Objects.requireNonNull(user, "user").isBlank()) {
            throw new IllegalArgumentException("a user name must not be blank");
        }
        return user;
    }
}
