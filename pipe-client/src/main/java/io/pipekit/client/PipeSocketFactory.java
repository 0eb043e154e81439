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
 * ({@link #withConnectTimeout this factory's}, or the caller's when that is shorter: a library
 * that passes its own on every connect, as Apache HttpClient's 3 minutes, cannot stretch the
 * factory's bound) and then fails with {@link io.pipekit.core.PipeBusyException}. Closing the
 * socket from another thread ends a connect that waits on a busy pipe, with a
 * {@link java.net.SocketException}.
 *
 * <p>The sockets read the pipe as a stream of bytes ({@link ReadMode#BYTE}), as HTTP and every
 * other socket protocol wants, and accept only a server that {@link ServerTrust#currentUserOrSystem()}
 * accepts, unless told otherwise. A factory is immutable: the {@code with} methods return a new one.
 *
 * <p>Libraries that make their socket factory themselves, from a class name and one string (JDBC
 * drivers: PostgreSQL's {@code socketFactory} and {@code socketFactoryArg}, SQL Server's
 * {@code socketFactoryClass} and {@code socketFactoryConstructorArg}), use the public
 * {@linkplain #PipeSocketFactory(String) constructor}, whose string may also name the user the
 * server runs as.
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

    private PipeSocketFactory(PipeSocketFactory from) {
        this(from.address, from.connectTimeout, from.readMode, from.serverTrust);
    }

    /**
     * The factory a library makes by class name with one string argument, as the JDBC drivers do:
     * {@code ADDRESS} or {@code ADDRESS?serverUser=NAME}. The address is in any form
     * {@link PipeAddress#parse} takes; the rest is {@link #of(String)}'s defaults, except that each
     * {@code serverUser} (joined by {@code &}) is trusted as well as the current user and the
     * system ({@link ServerTrust#orUser}): a database server runs as a user of its own
     * ({@code postgres}, {@code NT SERVICE\MSSQLSERVER}), which the default trust refuses.
     * Everything from the first {@code ?} on is options: an address that holds a {@code ?} must go
     * through {@link #of(PipeAddress)}.
     *
     * <pre>{@code
     * socketFactory=io.pipekit.client.PipeSocketFactory
     * socketFactoryArg=unix:///var/run/postgresql/.s.PGSQL.5432?serverUser=postgres
     * }</pre>
     *
     * @throws IllegalArgumentException for an address in no accepted form, an unknown option, or a
     *     user this system does not know
     * @throws NullPointerException if {@code spec} is null (a driver given no argument passes null)
     */
    public PipeSocketFactory(String spec) {
        this(fromSpec(spec));
    }

    private static PipeSocketFactory fromSpec(String spec) {
        Objects.requireNonNull(spec, "PipeSocketFactory needs an address (a JDBC driver's socketFactoryArg or socketFactoryConstructorArg)");
        int query = spec.indexOf('?');
        PipeSocketFactory factory = of(query < 0 ? spec : spec.substring(0, query));
        if (query < 0) {
            return factory;
        }
        ServerTrust trust = ServerTrust.currentUserOrSystem();
        for (String option : spec.substring(query + 1).split("&", -1)) {
            int equals = option.indexOf('=');
            String key = equals < 0 ? option : option.substring(0, equals);
            if (!key.equals("serverUser") || equals < 0 || equals == option.length() - 1) {
                throw new IllegalArgumentException("\"" + spec + "\": \"" + option
                        + "\" is not an option; after the address's ? come serverUser=NAME options, joined by &");
            }
            trust = trust.orUser(option.substring(equals + 1));
        }
        // The user is looked up now, where a driver reports a bad argument, not at the first connect.
        PipeClient.builder(factory.address.toString()).transport(factory.address.transport()).serverTrust(trust);
        return factory.withServerTrust(trust);
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
     * Which servers the sockets accept: {@link ServerTrust#currentUserOrSystem()} unless
     * {@link #withServerTrust} or the string's {@code serverUser} options said otherwise.
     */
    public ServerTrust serverTrust() {
        return serverTrust;
    }

    /**
     * The longest a connect keeps trying while the pipe is busy: the bound when its caller gives
     * no timeout ({@code createSocket(host, port)}, or {@code connect} with 0), and the bound on a
     * caller's longer timeout too (a shorter one wins); zero means one attempt.
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
