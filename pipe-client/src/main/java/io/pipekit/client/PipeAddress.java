package io.pipekit.client;

import io.pipekit.core.PipeName;
import io.pipekit.core.Transport;
import java.io.Serial;
import java.net.SocketAddress;
import java.util.Locale;
import java.util.Objects;

/**
 * Where a {@link PipeSocket} connects: a named pipe, or a Unix domain socket, as users write one.
 * {@link #parse(String)} takes every form below and nothing else:
 *
 * <ul>
 *   <li>{@code npipe:////./pipe/docker_engine} and {@code npipe:///./pipe/docker_engine}, Docker's
 *       forms (the {@code DOCKER_HOST} of Docker Desktop on Windows);</li>
 *   <li>{@code \\.\pipe\docker_engine}, the Windows path;</li>
 *   <li>{@code unix:///var/run/docker.sock}, and the bare absolute path {@code /var/run/docker.sock};</li>
 *   <li>a bare pipe name, {@code docker_engine}.</li>
 * </ul>
 *
 * <p>A pipe name ({@code npipe:}, {@code \\.\pipe\} or bare) is reached over this operating
 * system's transport, as {@link PipeClient} reaches it: the named pipe on Windows, pipekit's socket
 * of that name elsewhere. A socket path ({@code unix:} or absolute) is a Unix domain socket on
 * every system. {@link #dockerHost()} reads {@code DOCKER_HOST} with the same parser.
 */
public final class PipeAddress extends SocketAddress {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The forms {@link #parse} accepts, as its errors list them. */
    static final String ACCEPTED_FORMS = "npipe:////./pipe/NAME, npipe:///./pipe/NAME, \\\\.\\pipe\\NAME, unix:///path/to.sock,"
            + " an absolute socket path (/path/to.sock) or a bare pipe name (NAME)";

    private static final String NPIPE = "npipe:";
    private static final String UNIX = "unix:";
    private static final String DOCKER_DEFAULT_WINDOWS = "npipe:////./pipe/docker_engine";
    private static final String DOCKER_DEFAULT_UNIX = "unix:///var/run/docker.sock";

    // Kept as text and re-validated on use: PipeName is not Serializable, and SocketAddress is.
    private final String name;
    private final Transport transport;

    private PipeAddress(PipeName name, Transport transport) {
        this.name = name.isSocketPath() ? name.name() : name.path();
        this.transport = transport;
    }

    /**
     * Parses an address in one of the forms of the class comment.
     *
     * @throws IllegalArgumentException naming the forms accepted, for anything else (a TCP or SSH
     *     {@code DOCKER_HOST}, a remote pipe, an empty name)
     */
    public static PipeAddress parse(String address) {
        Objects.requireNonNull(address, "address");
        String text = address.strip();
        if (text.isEmpty()) {
            throw refused(address, "it is empty");
        }
        if (text.regionMatches(true, 0, NPIPE, 0, NPIPE.length())) {
            return npipe(address, text.substring(NPIPE.length()));
        }
        if (text.regionMatches(true, 0, UNIX, 0, UNIX.length())) {
            String path = text.substring(UNIX.length());
            if (path.startsWith("//")) {
                path = path.substring(2); // an empty authority: unix:///var/run/docker.sock
            }
            if (!path.startsWith("/")) {
                throw refused(address, "a unix: address names an absolute path, as unix:///var/run/docker.sock");
            }
            return socketPath(address, path);
        }
        if (text.startsWith("\\\\")) {
            return pipeName(address, text);
        }
        if (text.startsWith("/")) {
            return socketPath(address, text);
        }
        int colon = text.indexOf(':');
        if (colon >= 0 || text.contains("/")) {
            String scheme = colon > 0 ? text.substring(0, colon).toLowerCase(Locale.ROOT) : "";
            throw refused(address, switch (scheme) {
                case "tcp", "http", "https", "ssh", "fd" -> "a " + scheme + ": address is not a local pipe or socket";
                default -> "it is neither a pipe name nor a socket path";
            });
        }
        return pipeName(address, text);
    }

    /**
     * The Docker engine's address: {@code DOCKER_HOST} when it is set (and not empty), else
     * Docker's own default, {@code npipe:////./pipe/docker_engine} on Windows and
     * {@code unix:///var/run/docker.sock} elsewhere.
     *
     * @throws IllegalArgumentException if {@code DOCKER_HOST} holds no form {@link #parse} accepts
     *     (a {@code tcp://} engine is reached over TCP, not through this class)
     */
    public static PipeAddress dockerHost() {
        return dockerHost(System.getenv("DOCKER_HOST"), Transport.forThisOs());
    }

    /** {@link #dockerHost()} with the environment's value and the system given (for tests). */
    static PipeAddress dockerHost(String dockerHost, Transport system) {
        if (dockerHost == null || dockerHost.isBlank()) {
            return parse(system == Transport.WINDOWS_NAMED_PIPES ? DOCKER_DEFAULT_WINDOWS : DOCKER_DEFAULT_UNIX);
        }
        try {
            return parse(dockerHost);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("DOCKER_HOST: " + e.getMessage(), e);
        }
    }

    /** {@code npipe:} then two to four slashes, then {@code ./pipe/NAME} (Docker writes four, some tools three). */
    private static PipeAddress npipe(String address, String rest) {
        int slashes = 0;
        while (slashes < rest.length() && rest.charAt(slashes) == '/') {
            slashes++;
        }
        String local = rest.substring(slashes);
        if (slashes < 2 || slashes > 4 || !local.regionMatches(true, 0, "./pipe/", 0, "./pipe/".length())) {
            throw refused(address, "an npipe: address names a local pipe, as npipe:////./pipe/docker_engine"
                    + (slashes >= 2 && !local.startsWith(".") ? " (pipekit reaches pipes on this machine only)" : ""));
        }
        String pipe = local.substring("./pipe/".length());
        if (pipe.contains("/")) {
            throw refused(address, "a pipe name must not contain a slash");
        }
        return pipeName(address, pipe);
    }

    private static PipeAddress pipeName(String address, String text) {
        PipeName name;
        try {
            name = PipeName.of(text);
        } catch (IllegalArgumentException e) {
            throw refused(address, e.getMessage());
        }
        return new PipeAddress(name, Transport.forThisOs());
    }

    private static PipeAddress socketPath(String address, String path) {
        PipeName name;
        try {
            name = PipeName.of(path);
        } catch (IllegalArgumentException e) {
            throw refused(address, e.getMessage());
        }
        if (!name.isSocketPath()) {
            throw refused(address, "a socket path must be absolute");
        }
        return new PipeAddress(name, Transport.UNIX_DOMAIN_SOCKETS);
    }

    private static IllegalArgumentException refused(String address, String why) {
        return new IllegalArgumentException("not a pipe or socket address: '" + address + "' (" + why + "); expected one of "
                + ACCEPTED_FORMS);
    }

    /** The pipe or socket, as {@link PipeClient#builder(String)} takes it. */
    public PipeName pipeName() {
        return PipeName.of(name);
    }

    /** The transport that reaches it here: a socket path's is always {@link Transport#UNIX_DOMAIN_SOCKETS}. */
    public Transport transport() {
        return transport;
    }

    /** Same pipe (as {@link PipeName#equals} compares) over the same transport. */
    @Override
    public boolean equals(Object o) {
        return o instanceof PipeAddress other && transport == other.transport && pipeName().equals(other.pipeName());
    }

    @Override
    public int hashCode() {
        return Objects.hash(pipeName(), transport);
    }

    /** {@code \\.\pipe\NAME} for a pipe name, the path for a socket path. */
    @Override
    public String toString() {
        return name;
    }
}
