package io.pipekit.client;

import io.pipekit.core.PipeException;
import io.pipekit.core.ReadMode;
import io.pipekit.core.ServerTrust;
import io.pipekit.core.transport.ClientConnection;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Objects;
import javax.net.SocketFactory;

/**
 * Makes {@link PipeSocket}s to one pipe or Unix domain socket, for the libraries that take a
 * {@link SocketFactory} (OkHttp's {@code socketFactory}, Apache HttpClient through a socket
 * factory of its own, JDBC drivers, jsch):
 *
 * <pre>{@code
 * SocketFactory docker = PipeSocketFactory.of(PipeAddress.dockerHost());
 * }</pre>
 *
 * <p>Every {@code createSocket(host, port, ...)} connects to the configured pipe: the host, the
 * port and any local address are ignored, as every Unix-socket factory in Java ignores them
 * ({@link #createSocket()} makes an unconnected socket, which its {@code connect} connects to
 * the pipe likewise). A pipe that does not exist fails at once with a
 * {@link java.net.ConnectException} (what HTTP clients retry on) caused by pipekit's
 * {@link io.pipekit.core.NoSuchPipeException}; a busy one is retried for the connect timeout
 * (the caller's, or {@link #withConnectTimeout this factory's} when the caller gives none) and
 * then fails with {@link io.pipekit.core.PipeBusyException}.
 *
 * <p>The sockets read the pipe as a stream of bytes ({@link ReadMode#BYTE}), as HTTP and every
 * other socket protocol wants, and accept only a server that {@link ServerTrust#currentUserOrSystem()}
 * accepts, unless told otherwise. A factory is immutable: the {@code with} methods return a new one.
 */
public final class PipeSocketFactory extends SocketFactory {
    private final PipeAddress address;
    private final Duration connectTimeout;
    private final ReadMode readMode;
    private final ServerTrust serverTrust;

    private PipeSocketFactory(PipeAddress address, Duration connectTimeout, ReadMode readMode, ServerTrust serverTrust) {
        this.address = Objects.requireNonNull(address, "address");
        this.connectTimeout = connectTimeout;
        this.readMode = readMode;
        this.serverTrust = serverTrust;
    }

    /** Sockets to {@code address}, with a 5 s connect timeout, byte read mode and the default server trust. */
    public static PipeSocketFactory of(PipeAddress address) {
        return new PipeSocketFactory(address, PipeClient.DEFAULT_CONNECT_TIMEOUT, ReadMode.BYTE, ServerTrust.currentUserOrSystem());
    }

    /**
     * {@link #of(PipeAddress)} of {@link PipeAddress#parse(String) the parsed address}.
     *
     * @throws IllegalArgumentException if {@code address} is in no form {@link PipeAddress} accepts
     */
    public static PipeSocketFactory of(String address) {
        return of(PipeAddress.parse(address));
    }

    /** Where the sockets connect. */
    public PipeAddress address() {
        return address;
    }

    /**
     * How long a connect keeps trying while the pipe is busy when its caller gives no timeout
     * ({@code createSocket(host, port)}, or {@code connect} with 0); zero means one attempt.
     *
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    public PipeSocketFactory withConnectTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "connectTimeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("connectTimeout must not be negative: " + timeout);
        }
        return new PipeSocketFactory(address, timeout, readMode, serverTrust);
    }

    /**
     * How the sockets read the pipe (default {@link ReadMode#BYTE}). Give {@link ReadMode#AUTO} or
     * {@link ReadMode#MESSAGE} only for a pipekit message-type server on a Unix socket, whose
     * messages come in frames; the socket still reads them as one stream of bytes.
     */
    public PipeSocketFactory withReadMode(ReadMode readMode) {
        return new PipeSocketFactory(address, connectTimeout, Objects.requireNonNull(readMode, "readMode"), serverTrust);
    }

    /** Which servers the sockets accept (default {@link ServerTrust#currentUserOrSystem()}), as {@link PipeClient.Builder#serverTrust}. */
    public PipeSocketFactory withServerTrust(ServerTrust trust) {
        return new PipeSocketFactory(address, connectTimeout, readMode, Objects.requireNonNull(trust, "serverTrust"));
    }

    /** An unconnected socket: its {@code connect}, to any address, connects to the pipe. */
    @Override
    public Socket createSocket() throws IOException {
        return new PipeSocket(address, this::connect, connectTimeout);
    }

    /** A socket connected to the pipe; {@code host} and {@code port} are ignored. */
    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected();
    }

    /** A socket connected to the pipe; every argument is ignored. */
    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected();
    }

    /** A socket connected to the pipe; {@code host} and {@code port} are ignored. */
    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected();
    }

    /** A socket connected to the pipe; every argument is ignored. */
    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return connected();
    }

    private Socket connected() throws IOException {
        Socket socket = createSocket();
        try {
            socket.connect(InetSocketAddress.createUnresolved("localhost", 0));
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        return socket;
    }

    private ClientConnection connect(PipeAddress to, Duration timeout) throws PipeException {
        return PipeClient.builder(to.toString()).transport(to.transport()).readMode(readMode).serverTrust(serverTrust)
                .connectTimeout(timeout).connectTransport();
    }

    @Override
    public String toString() {
        return "PipeSocketFactory[" + address + "]";
    }
}
