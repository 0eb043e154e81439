package io.pipekit.server;

import io.pipekit.client.PipeAddress;
import io.pipekit.client.PipeSocket;
import io.pipekit.client.internal.AcceptedSockets;
import io.pipekit.client.internal.RememberedOptions;
import io.pipekit.core.PipeException;
import io.pipekit.core.PipeInterruptedException;
import io.pipekit.core.PipeNameInUseException;
import io.pipekit.core.PipeType;
import io.pipekit.server.internal.AcceptedConnection;
import io.pipekit.server.internal.SocketAcceptor;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A named pipe, or a Unix domain socket, as a {@link java.net.ServerSocket}, for the libraries
 * that take one (made by a {@link PipeServerSocketFactory}, such as RMI's server socket factory):
 * {@link #accept()} returns a {@link PipeSocket}, the same kind of socket a
 * {@link io.pipekit.client.PipeSocketFactory} connects, with the same contract. go-winio's
 * {@code Listener} is the model.
 *
 * <p>Underneath is a {@link PipeServer} on a byte-type pipe, with its secure defaults: the name
 * claimed for the server's whole life (a second server on it is refused, with a
 * {@link BindException} caused by {@link PipeNameInUseException}), remote clients rejected, and
 * only the current user and SYSTEM let in on Windows (a DACL) or the same uid on Unix (an
 * owner-only socket); the factory's {@link PipeServerSocketFactory#withAdmission admission} and
 * {@link PipeServerSocketFactory#withSecurityDescriptor security descriptor} change those as the
 * builder's do. Who each accepted client is: {@link PipeSocket#peer()}.
 *
 * <ul>
 *   <li>Once bound, the server listens whether or not an {@code accept} waits: clients connect,
 *       and wait (up to the backlog, 50 by default) to be accepted, as in a TCP listener's backlog.
 *       On Windows several instances of the pipe listen at once, so a client is not refused
 *       between two accepts.</li>
 *   <li>{@link #accept()} blocks until a client connects; {@link #setSoTimeout} bounds it with a
 *       {@link SocketTimeoutException}, which leaves the server socket usable.</li>
 *   <li>{@link #close()}, from any thread, ends a blocked {@code accept} with a
 *       {@link SocketException}; the sockets accepted already stay open, and the server ends once
 *       they are all closed. On Unix the socket file goes at once; on Windows the pipe's name is
 *       held until the last accepted socket closes, as named pipes are.</li>
 *   <li>Each accepted socket is independent: one thread per socket may read while another writes.</li>
 *   <li>It has no IP address and no port: {@link #getInetAddress()} is null and
 *       {@link #getLocalPort()} -1; {@link #getLocalSocketAddress()} is the {@link PipeAddress}.</li>
 * </ul>
 */
public final class PipeServerSocket extends ServerSocket {
    /** The backlog when none is given, as {@code ServerSocket}'s. */
    static final int DEFAULT_BACKLOG = 50;

    private final PipeServerSocketFactory settings;
    private final PipeAddress impliedAddress; // what bind(InetSocketAddress or null) binds to; null: none
    private final Object state = new Object();
    /** The options set, by name, remembered for their getters only: a pipe has neither. */
    private final RememberedOptions options = new RememberedOptions("a pipe server socket",
            Set.of(StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_REUSEADDR), Set.of(),
            Map.of("SO_RCVBUF", 64 * 1024, "SO_REUSEADDR", true), this::isClosed);
    private volatile PipeAddress address;
    private volatile PipeServer server;
    private volatile SocketAcceptor acceptor;
    private volatile boolean closed;
    private volatile int soTimeout;

    /** An unbound server socket with pipekit's defaults: {@link #bind} it to a {@link PipeAddress}. */
    public PipeServerSocket() throws IOException {
        this(null, PipeServerSocketFactory.DEFAULTS);
    }

    /**
     * A server socket bound to {@code address}, with pipekit's defaults.
     *
     * @throws BindException if another server serves the name (its cause {@link PipeNameInUseException})
     * @throws IOException as {@link PipeServer.Builder#start()} fails otherwise
     */
    public PipeServerSocket(PipeAddress address) throws IOException {
        this(null, PipeServerSocketFactory.DEFAULTS);
        bind(Objects.requireNonNull(address, "address"));
    }

    PipeServerSocket(PipeAddress impliedAddress, PipeServerSocketFactory settings) throws IOException {
        super(); // makes no socket: every method that would is overridden
        this.impliedAddress = impliedAddress;
        this.settings = settings;
    }

    /** {@link #bind(SocketAddress, int)} with the default backlog, 50. */
    @Override
    public void bind(SocketAddress endpoint) throws IOException {
        bind(endpoint, DEFAULT_BACKLOG);
    }

    /**
     * Starts serving {@code endpoint}, a {@link PipeAddress}: from here on clients connect, and
     * up to {@code backlog} (below 1: 50) wait to be accepted. A server socket made by a
     * {@link PipeServerSocketFactory} also takes an {@link InetSocketAddress} or null, as libraries
     * pass them, and binds to the factory's address.
     *
     * @throws BindException if another server serves the name (its cause {@link PipeNameInUseException})
     * @throws SocketException if this server socket is closed or bound already
     * @throws IllegalArgumentException for an address that names no pipe
     */
    @Override
    public void bind(SocketAddress endpoint, int backlog) throws IOException {
        PipeAddress target = target(endpoint);
        SocketAcceptor made = new SocketAcceptor(PipeServer.DEFAULT_MAX_QUEUED_BYTES, backlog < 1 ? DEFAULT_BACKLOG : backlog);
        synchronized (state) {
            if (closed) {
                throw new SocketException("Socket is closed");
            }
            if (server != null) {
                throw new SocketException("Already bound");
            }
            PipeServer.Builder builder = PipeServer.builder(target.toString()).transport(target.transport())
                    .pipeType(PipeType.BYTE).connectionHandler(made).admission(settings.admission()).daemonThread();
            if (settings.securityDescriptor() != null) {
                builder.securityDescriptor(settings.securityDescriptor());
            }
            try {
                server = builder.start();
            } catch (PipeNameInUseException e) {
                BindException inUse = new BindException("Address already in use: " + target + " is served by another server");
                inUse.initCause(e);
                throw inUse;
            }
            acceptor = made;
            address = target;
        }
    }

    private PipeAddress target(SocketAddress endpoint) {
        if (endpoint instanceof PipeAddress pipe) {
            return pipe;
        }
        if ((endpoint == null || endpoint instanceof InetSocketAddress) && impliedAddress != null) {
            return impliedAddress;
        }
        throw new IllegalArgumentException("a pipe server socket binds to a PipeAddress, not " + endpoint);
    }

    /**
     * Waits for the next client and returns its connection as a {@link PipeSocket}: connected,
     * its {@link PipeSocket#peer()} the client, its local address the pipe.
     *
     * @throws SocketTimeoutException if {@link #setSoTimeout} passed with no client; the server
     *     socket stays usable
     * @throws SocketException if the server socket is closed (before or while waiting), or not bound
     * @throws PipeInterruptedException if the thread is interrupted while it waits: the server
     *     socket is closed, and the interrupt flag stays set
     */
    @Override
    public Socket accept() throws IOException {
        SocketAcceptor from;
        synchronized (state) {
            if (closed) {
                throw new SocketException("Socket is closed");
            }
            from = acceptor;
            if (from == null) {
                throw new SocketException("Socket is not bound yet");
            }
        }
        int timeout = soTimeout;
        AcceptedConnection next;
        try {
            next = from.next(timeout);
        } catch (IllegalStateException closedMeanwhile) {
            throw new SocketException("Socket closed");
        } catch (InterruptedException e) {
            close();
            Thread.currentThread().interrupt();
            throw new PipeInterruptedException("accept on " + address, PipeException.NO_CODE,
                    "interrupted; the server socket is closed", e);
        }
        if (next == null) {
            throw new SocketTimeoutException("Accept timed out");
        }
        try {
            return AcceptedSockets.accepted(address, next);
        } catch (SocketException | RuntimeException e) {
            next.close();
            throw e;
        }
    }

    /**
     * Stops accepting, from any thread: a blocked {@link #accept()} ends with a
     * {@link SocketException}, clients that wait to be accepted are disconnected, and no new one
     * can connect. Sockets accepted already stay open. Idempotent.
     */
    @Override
    public void close() {
        SocketAcceptor waiting;
        PipeServer serving;
        synchronized (state) {
            if (closed) {
                return;
            }
            closed = true;
            waiting = acceptor;
            serving = server;
        }
        if (waiting != null) {
            waiting.close();
            serving.stopAccepting();
        }
    }

    @Override
    public boolean isBound() {
        return server != null;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    /** The {@link PipeAddress} once bound, else null. */
    @Override
    public SocketAddress getLocalSocketAddress() {
        return address;
    }

    /** Null: a pipe has no IP address. */
    @Override
    public InetAddress getInetAddress() {
        return null;
    }

    /** -1: a pipe has no port. */
    @Override
    public int getLocalPort() {
        return -1;
    }

    /** Null: this server socket was not made from a channel. */
    @Override
    public ServerSocketChannel getChannel() {
        return null;
    }

    /** How long {@link #accept()} waits, in milliseconds; 0, the default, for as long as it takes. */
    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        checkOpen();
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout < 0");
        }
        soTimeout = timeout;
    }

    @Override
    public int getSoTimeout() throws IOException {
        checkOpen();
        return soTimeout;
    }

    /** Accepted and remembered; a pipe has no address to reuse. */
    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        options.remember("SO_REUSEADDR", on);
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        return options.flag("SO_REUSEADDR");
    }

    /** Accepted and remembered; the pipe's buffers are the server's ({@link PipeServer.Builder#inBufferSize}). */
    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        checkOpen();
        if (size <= 0) {
            throw new IllegalArgumentException("negative receive size");
        }
        options.remember("SO_RCVBUF", size);
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return options.number("SO_RCVBUF");
    }

    @Override
    public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
        // a pipe has no choice to make
    }

    /** {@code SO_RCVBUF} and {@code SO_REUSEADDR}, remembered and changing nothing; any other option is refused. */
    @Override
    public <T> ServerSocket setOption(SocketOption<T> name, T value) throws IOException {
        options.set(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return options.get(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return options.supported();
    }

    private void checkOpen() throws SocketException {
        if (closed) {
            throw new SocketException("Socket is closed");
        }
    }

    @Override
    public String toString() {
        PipeAddress bound = address;
        return "PipeServerSocket[" + (bound != null ? bound : "unbound") + (closed ? ", closed" : "") + "]";
    }
}
