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
 */
public final class ServerTrust {
    private static final ServerTrust DEFAULT = new ServerTrust(false, true, true, List.of());

    private final boolean anyServer;
    private final boolean currentUser;
    private final boolean system;
    private final List<String> users;

    private ServerTrust(boolean anyServer, boolean currentUser, boolean system, List<String> users) {
        this.anyServer = anyServer;
        this.currentUser = currentUser;
        this.system = system;
        this.users = List.copyOf(users);
    }

    /** The default: a server running as this process's user, or as the system. */
    public static ServerTrust currentUserOrSystem() {
        return DEFAULT;
    }

    /** Only a server running as this process's user. */
    public static ServerTrust currentUser() {
        return new ServerTrust(false, true, false, List.of());
    }

    /**
     * Only a server running as {@code user}: on Windows an account name ({@code DOMAIN\name} or
     * {@code name}) or a SID ({@code S-1-5-18}); on Unix a user name or a uid.
     */
    public static ServerTrust user(String user) {
        return new ServerTrust(false, false, false, List.of(requireUser(user)));
    }

    /** Any server at all: no check. For a server whose user cannot be known in advance. */
    public static ServerTrust anyServer() {
        return new ServerTrust(true, false, false, List.of());
    }

    /** This trust, and a server running as {@code user} too. */
    public ServerTrust orUser(String user) {
        return anyServer ? this : new ServerTrust(false, currentUser, system,
                Stream.concat(users.stream(), Stream.of(requireUser(user))).toList());
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

    /** In words, for messages: "running as the current user or the system", say. */
    public String describe() {
        if (anyServer) {
            return "any server";
        }
        List<String> who = Stream.concat(Stream.of(currentUser ? "the current user" : null, system ? "the system" : null)
                .filter(Objects::nonNull), users.stream()).toList();
        return "running as " + String.join(" or ", who);
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
