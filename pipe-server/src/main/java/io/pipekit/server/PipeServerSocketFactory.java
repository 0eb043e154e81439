package io.pipekit.server;

import io.pipekit.client.PipeAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Objects;
import javax.net.ServerSocketFactory;

/**
 * Makes {@link PipeServerSocket}s on one pipe or Unix domain socket, for the libraries that take
 * a {@link ServerSocketFactory} (or wrap one, as RMI's {@code RMIServerSocketFactory}):
 *
 * <pre>{@code
 * ServerSocketFactory pipes = PipeServerSocketFactory.of(PipeAddress.parse("myservice"));
 * }</pre>
 *
 * <p>Every {@code createServerSocket(port, ...)} binds to the configured address: the port, the
 * backlog's absence and any local address are ignored (a given backlog is kept), as every
 * Unix-socket factory in Java ignores them. {@link #createServerSocket()} makes an unbound one,
 * whose {@code bind}, to any {@code InetSocketAddress} or null, binds to the address likewise.
 * Only one server socket at a time can be bound to a name.
 *
 * <p>The server sockets have {@link PipeServer}'s secure defaults; {@link #withAdmission} and
 * {@link #withSecurityDescriptor} change them as the builder's {@code admission} and
 * {@code securityDescriptor} do. A factory is immutable: the {@code with} methods return a new one.
 */
public final class PipeServerSocketFactory extends ServerSocketFactory {
    /** The settings of {@code new PipeServerSocket()}: pipekit's defaults, no address. */
    static final PipeServerSocketFactory DEFAULTS = new PipeServerSocketFactory(null, Admission.everyone(), null);

    private final PipeAddress address;
    private final Admission admission;
    private final String securityDescriptor;

    private PipeServerSocketFactory(PipeAddress address, Admission admission, String securityDescriptor) {
        this.address = address;
        this.admission = admission;
        this.securityDescriptor = securityDescriptor;
    }

    /** Server sockets on {@code address}, with pipekit's defaults. */
    public static PipeServerSocketFactory of(PipeAddress address) {
        return new PipeServerSocketFactory(Objects.requireNonNull(address, "address"), Admission.everyone(), null);
    }

    /**
     * {@link #of(PipeAddress)} of {@link PipeAddress#parse(String) the parsed address}.
     *
     * @throws IllegalArgumentException if {@code address} is in no form {@link PipeAddress} accepts
     */
    public static PipeServerSocketFactory of(String address) {
        return of(PipeAddress.parse(address));
    }

    /** Where the server sockets listen. */
    public PipeAddress address() {
        return address;
    }

    /** Who may connect, decided from each client's identity before it is accepted, as {@link PipeServer.Builder#admission}. */
    public PipeServerSocketFactory withAdmission(Admission admission) {
        return new PipeServerSocketFactory(address, Objects.requireNonNull(admission, "admission"), securityDescriptor);
    }

    /**
     * The pipe's security descriptor in SDDL, as {@link PipeServer.Builder#securityDescriptor}:
     * Windows named pipes only (on Unix sockets it is not applied, with a warning).
     *
     * @throws IllegalArgumentException if {@code sddl} is empty or blank
     */
    public PipeServerSocketFactory withSecurityDescriptor(String sddl) {
        Objects.requireNonNull(sddl, "securityDescriptor");
        if (sddl.isBlank()) {
            throw new IllegalArgumentException("securityDescriptor is empty: give an SDDL string, or leave it unset for the default");
        }
        return new PipeServerSocketFactory(address, admission, sddl);
    }

    Admission admission() {
        return admission;
    }

    String securityDescriptor() {
        return securityDescriptor;
    }

    /** An unbound server socket: its {@code bind}, to any address or null, binds to the pipe. */
    @Override
    public ServerSocket createServerSocket() throws IOException {
        return new PipeServerSocket(address, this);
    }

    /** A server socket bound to the pipe; {@code port} is ignored. */
    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
        return bound(PipeServerSocket.DEFAULT_BACKLOG);
    }

    /** A server socket bound to the pipe, with {@code backlog}; {@code port} is ignored. */
    @Override
    public ServerSocket createServerSocket(int port, int backlog) throws IOException {
        return bound(backlog);
    }

    /** A server socket bound to the pipe, with {@code backlog}; {@code port} and {@code ifAddress} are ignored. */
    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress ifAddress) throws IOException {
        return bound(backlog);
    }

    private ServerSocket bound(int backlog) throws IOException {
        PipeServerSocket socket = new PipeServerSocket(address, this);
        try {
            socket.bind(address, backlog);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        return socket;
    }

    @Override
    public String toString() {
        return "PipeServerSocketFactory[" + address + "]";
    }
}
