package io.pipekit.client;

import io.pipekit.core.PipeName;
import io.pipekit.core.Transport;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.Serial;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

/**
 * Where a {@link PipeSocket} connects: a named pipe, or a Unix domain socket, as users write one.
 * {@link #parse(String)} takes every form below and nothing else:
 *
 * <ul>
 *   <li>{@code npipe:////./pipe/docker_engine} and {@code npipe:///./pipe/docker_engine}, Docker's
 *       forms (the {@code DOCKER_HOST} of Docker Desktop on Windows); a slash after {@code pipe/}
 *       is a backslash of the pipe's name ({@code npipe:////./pipe/sql/query} is
 *       {@code \\.\pipe\sql\query}), as Windows reads the path Docker's client opens;</li>
 *   <li>{@code \\.\pipe\docker_engine}, the Windows path, backslashes in the name included
 *       ({@code \\.\pipe\MSSQL$NAME\sql\query}, as {@link PipeName} takes them);</li>
 *   <li>{@code unix:///var/run/docker.sock}, and the bare absolute path {@code /var/run/docker.sock};</li>
 *   <li>a bare pipe name, {@code docker_engine}.</li>
 * </ul>
 *
 * <p>A pipe name ({@code npipe:}, {@code \\.\pipe\} or bare) is reached over this operating
 * system's transport, as {@link PipeClient} reaches it: the named pipe on Windows, pipekit's socket
 * of that name elsewhere. A socket path ({@code unix:} or absolute) is a Unix domain socket on
 * every system. {@link #dockerHost()} reads {@code DOCKER_HOST} with the same parser.
 *
 * <h2>Why an {@code InetSocketAddress}</h2>
 *
 * <p>Libraries written for TCP cast a socket's {@link java.net.Socket#getRemoteSocketAddress()
 * remote address} to {@link InetSocketAddress} (SQL Server's mssql-jdbc does, right after it
 * connects), so a {@code PipeAddress}, which is what a {@link PipeSocket} answers, is one, as
 * junixsocket's addresses are. It is an <em>unresolved</em> one with no IP address and port 0:
 * {@link #getAddress()} is null and {@link #isUnresolved()} true. Its host string
 * ({@link #getHostString()}) names the pipe in a form no name service is ever asked about: it
 * starts with {@code [} and does not end with {@code ]}, which the JDK refuses as a broken IPv6
 * literal before any lookup, and a plain {@code Socket} refuses to connect to with an
 * {@link java.net.UnknownHostException}. It is {@code [npipe:} or {@code [unix:} (the
 * transport), then the pipe as {@link #toString()} shows it, in lower case for a pipe name (pipe
 * names ignore case) and exactly for a socket path, written with lower-case letters, digits and
 * ASCII punctuation only: every other character, {@code %} and {@code ]} are escaped as
 * {@code %xx} (the bytes of its UTF-8 in lower-case hex). That is because
 * {@code InetSocketAddress}'s {@code equals} and {@code hashCode}, which are final, compare host
 * strings ignoring case: so written, two addresses are equal exactly when they name the same pipe
 * ({@link PipeName#equals}: pipe names without regard to case, socket paths exactly) over the same
 * transport. An unresolved {@code InetSocketAddress} made with the same host string and port 0 is
 * equal to it as well. {@link #toString()} is the pipe itself.
 */
public final class PipeAddress extends InetSocketAddress {
    @Serial
    private static final long serialVersionUID = 2L;

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
        super(hostString(name, transport), 0); // no lookup: see the class comment
        this.name = name.isSocketPath() ? name.name() : name.path();
        this.transport = transport;
    }

    /** The host string of the class comment: unresolvable at once, and equal only for the same pipe. */
    static String hostString(PipeName name, Transport transport) {
        String pipe = name.isSocketPath() ? name.canonical() : "\\\\.\\pipe\\" + name.canonical();
        StringBuilder host = new StringBuilder(pipe.length() + 8).append('[')
                .append(transport == Transport.WINDOWS_NAMED_PIPES ? "npipe:" : "unix:");
        for (byte b : pipe.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            boolean plain = c < 0x80 && c > ' ' && c != 0x7f && c != '%' && c != ']' && !(c >= 'A' && c <= 'Z');
            if (plain) {
                host.append(c);
            } else {
                host.append('%').append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
            }
        }
        return host.toString();
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
        // Windows turns the slashes of the path Docker's client opens (//./pipe/a/b) into backslashes.
        // With its prefix, so that a name with a leading backslash is never read as \\server\...
        return pipeName(address, "\\\\.\\pipe\\" + local.substring("./pipe/".length()).replace('/', '\\'));
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

    /** Refuses a stream whose name, transport and host string disagree: equality rests on the host string. */
    @Serial
    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        try {
            if (transport == null || !hostString(PipeName.of(name), transport).equals(getHostString()) || getPort() != 0) {
                throw new InvalidObjectException("a PipeAddress whose host string is not its pipe's: " + getHostString());
            }
        } catch (IllegalArgumentException | NullPointerException e) {
            throw (InvalidObjectException) new InvalidObjectException("not a pipe name: " + name).initCause(e);
        }
    }

    /** {@code \\.\pipe\NAME} for a pipe name, the path for a socket path. */
    @Override
    public String toString() {
        return name;
    }
}
