package io.pipekit.client;

import io.pipekit.client.internal.AcceptedSockets;
import io.pipekit.client.internal.RememberedOptions;
import io.pipekit.core.NoSuchPipeException;
import io.pipekit.core.PeerIdentity;
import io.pipekit.core.PipeBusyException;
import io.pipekit.core.PipeClosedException;
import io.pipekit.core.PipeException;
import io.pipekit.core.PipeTimeoutException;
import io.pipekit.core.transport.ClientConnection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A named pipe or a Unix domain socket as a {@link java.net.Socket}, for the libraries that
 * take one (made by a {@link PipeSocketFactory}). Every public method of {@code Socket} is
 * overridden here: no TCP socket is ever made underneath.
 *
 * <ul>
 *   <li>One thread may read while another writes; further readers (or writers) queue behind the
 *       one in a call, as on a {@code java.net.Socket}.</li>
 *   <li>{@link #setSoTimeout} bounds each read: when it passes, the read throws a
 *       {@link SocketTimeoutException} (its cause pipekit's {@link PipeTimeoutException}) and the
 *       socket stays usable; nothing that arrives later is lost. Writes have no timeout, as on a
 *       {@code Socket}.</li>
 *   <li>{@link #close()} from any thread ends a blocked read or write at once with a
 *       {@link SocketException} ("Socket closed"); closing either stream closes the socket.</li>
 *   <li>{@link #shutdownOutput()} on a Unix domain socket is a real half-close: the server reads
 *       the end of the stream, and this side goes on reading. A named pipe has no half-close: there
 *       it stops this socket's writes (a write then throws) and the server is told nothing, so a
 *       protocol that needs the server to see the end must say so itself (HTTP does, with its
 *       lengths). {@link #shutdownInput()}: later reads return -1 on both; on a Unix socket a
 *       waiting read ends with -1 too.</li>
 *   <li>{@link #isConnected()} stays true after {@link #close()}, as on a {@code Socket};
 *       {@link #getRemoteSocketAddress()} is the {@link PipeAddress}, an unresolved
 *       {@link InetSocketAddress} as libraries written for TCP expect; there is no IP address
 *       ({@link #getInetAddress()} is null, {@link #getPort()} 0) and no local address.</li>
 *   <li>The TCP options ({@code setTcpNoDelay}, {@code setKeepAlive}, buffer sizes, linger, ...)
 *       are accepted, as HTTP clients set them on every socket, and remembered for their getters,
 *       but change nothing: a pipe has none of them. {@link #setOption} takes the same options
 *       likewise, and refuses any other.</li>
 * </ul>
 *
 * <p>Bytes go through as written: no buffering is added. On a message-type named pipe each
 * write is one message, and the reads return the messages' bytes with no boundary.
 *
 * <p>The server's side of a connection is a {@code PipeSocket} too: {@code PipeServerSocket.accept()}
 * (pipe-server) returns one, with the same contract; its {@link #getLocalSocketAddress()} names
 * the pipe, and {@link #peer()} is the client.
 */
public final class PipeSocket extends Socket {
    /** Opens the transport's connection to an address, waiting at most a timeout while it is busy. */
    @FunctionalInterface
    interface Connector {
        ClientConnection connect(PipeAddress address, Duration timeout) throws PipeException;
    }

    static {
        AcceptedSockets.register(PipeSocket::accepted);
    }

    private final PipeAddress address;
    private final boolean acceptedHere; // the server's side of a connection, made by a server socket
    private final Connector connector;
    private final Duration defaultConnectTimeout;
    private final Object state = new Object();
    /** The longest wait on a busy pipe between two looks at {@link #close()}: how soon a close ends a pending connect. */
    private static final Duration BUSY_SLICE = Duration.ofMillis(50);
    private static final Set<SocketOption<?>> TCP_OPTIONS = Set.of(StandardSocketOptions.TCP_NODELAY, StandardSocketOptions.SO_KEEPALIVE,
            StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_LINGER, StandardSocketOptions.IP_TOS,
            StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_RCVBUF);
    /** jdk.net's ExtendedSocketOptions, by name: this module does not read jdk.net. */
    private static final Set<String> KEEP_ALIVE_TUNING = Set.of("TCP_KEEPIDLE", "TCP_KEEPINTERVAL", "TCP_KEEPCOUNT");

    private final ReentrantLock readLock = new ReentrantLock();
    /** The TCP options set, by name, remembered for their getters only (see the class comment). */
    private final RememberedOptions options = new RememberedOptions("a pipe socket", TCP_OPTIONS, KEEP_ALIVE_TUNING,
            Map.of("TCP_NODELAY", false, "SO_KEEPALIVE", false, "SO_REUSEADDR", false, "SO_LINGER", -1, "IP_TOS", 0,
                    "SO_SNDBUF", 64 * 1024, "SO_RCVBUF", 64 * 1024), this::isClosed);
    private final ReentrantLock writeLock = new ReentrantLock();
    private final InputStream input = new Input();
    private final OutputStream output = new Output();
    private volatile ClientConnection connection;
    private volatile boolean closed;
    private volatile boolean inputShut;
    private volatile boolean outputShut;
    private volatile int soTimeout;
    private volatile boolean oobInline;

    PipeSocket(PipeAddress address, Connector connector, Duration defaultConnectTimeout) throws SocketException {
        this(address, connector, defaultConnectTimeout, false);
    }

    private PipeSocket(PipeAddress address, Connector connector, Duration defaultConnectTimeout, boolean acceptedHere)
            throws SocketException {
        super((SocketImpl) null); // no implementation: every method that would use one is overridden
        this.address = Objects.requireNonNull(address, "address");
        this.connector = connector;
        this.defaultConnectTimeout = defaultConnectTimeout;
        this.acceptedHere = acceptedHere;
    }

    /** The server's side of a connection a server socket on {@code address} accepted: connected already. */
    private static PipeSocket accepted(PipeAddress address, ClientConnection connection) throws SocketException {
        PipeSocket socket = new PipeSocket(address, (to, timeout) -> connection, Duration.ZERO, true);
        socket.connection = connection;
        return socket;
    }

    /**
     * Who is at the other end, once connected (null before): on a socket that connected, the
     * server, as its {@link io.pipekit.core.ServerTrust} checked it before anything was sent; on
     * one a server socket accepted, the client, as the server's admission saw it.
     */
    public PeerIdentity peer() {
        ClientConnection open = connection;
        return open == null ? null : open.serverIdentity();
    }

    /** Connects to the socket's pipe; {@code endpoint} may be any {@link InetSocketAddress} (ignored) or this socket's {@link PipeAddress}. */
    @Override
    public void connect(SocketAddress endpoint) throws IOException {
        connect(endpoint, 0);
    }

    /**
     * Connects to this socket's pipe, whatever host and port {@code endpoint} names (HTTP clients
     * pass the URL's): an {@link InetSocketAddress} is accepted and ignored, except that a
     * {@link PipeAddress} must be this socket's. A pipe that does not exist fails at once with a
     * {@link ConnectException} (what HTTP clients retry on), whose cause is pipekit's
     * {@link NoSuchPipeException}. A busy pipe (every instance taken) is retried for
     * {@code timeoutMillis} or the factory's connect timeout, whichever is shorter (0: the
     * factory's alone; never for ever), and then fails with {@link PipeBusyException}; a
     * {@link #close()} from another thread meanwhile ends the connect with a
     * {@link SocketException} ("Socket closed"). Other failures are pipekit's typed {@link PipeException}s, all
     * {@link IOException}s.
     */
    @Override
    public void connect(SocketAddress endpoint, int timeoutMillis) throws IOException {
        if (endpoint == null) {
            throw new IllegalArgumentException("connect: The address can't be null");
        }
        if (timeoutMillis < 0) {
            throw new IllegalArgumentException("connect: timeout can't be negative");
        }
        // A PipeAddress is an InetSocketAddress too: another pipe's must not pass as a host and port.
        if (endpoint instanceof PipeAddress ? !address.equals(endpoint) : !(endpoint instanceof InetSocketAddress)) {
            throw new IllegalArgumentException("this socket connects to " + address + ", not to " + endpoint);
        }
        synchronized (state) {
            if (closed) {
                throw new SocketException("Socket is closed");
            }
            if (connection != null) {
                throw new SocketException("already connected");
            }
        }
        ClientConnection made = open(connectTimeout(timeoutMillis));
        synchronized (state) {
            if (!closed) {
                connection = made;
                return;
            }
        }
        made.close(); // closed while it connected
        throw new SocketException("Socket closed");
    }

    /**
     * The caller's timeout or the factory's, whichever is shorter; the factory's alone when the
     * caller gives none (0). Libraries pass a connect timeout of their own on every connect (Apache
     * HttpClient's default is 3 minutes): the factory's is the bound its user set on the pipe.
     */
    private Duration connectTimeout(int timeoutMillis) {
        if (timeoutMillis == 0) {
            return defaultConnectTimeout;
        }
        Duration callers = Duration.ofMillis(timeoutMillis);
        return callers.compareTo(defaultConnectTimeout) < 0 ? callers : defaultConnectTimeout;
    }

    /**
     * One attempt, then retries only while the pipe is busy (a missing one is for the caller to
     * retry), in slices of at most {@link #BUSY_SLICE}: between two, a {@link #close()} from
     * another thread ends the wait, which the transport's own wait would not notice.
     */
    private ClientConnection open(Duration timeout) throws IOException {
        try {
            return connector.connect(address, Duration.ZERO);
        } catch (NoSuchPipeException e) {
            throw refused(e);
        } catch (PipeBusyException busy) {
            if (timeout.isZero()) {
                throw busy;
            }
        }
        long start = System.nanoTime();
        long timeoutNanos = timeout.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : timeout.toNanos();
        PipeBusyException lastBusy = null;
        while (true) {
            checkNotClosedWhileConnecting();
            long left = timeoutNanos - (System.nanoTime() - start);
            if (left <= 0) {
                // The slices' own messages speak of a slice: this one of the whole timeout.
                throw lastBusy == null
                        ? new PipeBusyException("connect " + address, PipeException.NO_CODE,
                                "every instance stayed busy for the connect timeout of " + timeout.toMillis() + " ms")
                        : new PipeBusyException(lastBusy.operation(), lastBusy.code(),
                                "every instance stayed busy for the connect timeout of " + timeout.toMillis() + " ms", lastBusy);
            }
            try {
                return connector.connect(address, Duration.ofNanos(Math.min(left, BUSY_SLICE.toNanos())));
            } catch (PipeBusyException busy) {
                lastBusy = busy;
            } catch (NoSuchPipeException e) {
                // Gone between two instances (a server makes the next when one is taken), or for good:
                // having been busy, it is retried until the timeout, as a transport's own wait does.
                if (System.nanoTime() - start >= timeoutNanos) {
                    throw refused(e); // the server went away while we waited
                }
            }
        }
    }

    /** A close from another thread while {@link #connect} waits on a busy pipe: the connect ends as a {@code Socket}'s does. */
    private void checkNotClosedWhileConnecting() throws SocketException {
        if (closed) {
            throw new SocketException("Socket closed");
        }
    }

    private ConnectException refused(NoSuchPipeException e) {
        ConnectException refused = new ConnectException("no pipe or socket at " + address + " (is the server running?)");
        refused.initCause(e);
        return refused;
    }

    /** There is nothing to bind a pipe's client to: a null {@code bindpoint} is accepted, any other refused. */
    @Override
    public void bind(SocketAddress bindpoint) throws IOException {
        checkOpen();
        if (bindpoint != null) {
            throw new SocketException("a pipe socket has no local address to bind to " + bindpoint);
        }
    }

    @Override
    public InputStream getInputStream() throws IOException {
        checkConnected();
        if (inputShut) {
            throw new SocketException("Socket input is shutdown");
        }
        return input;
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        checkConnected();
        if (outputShut) {
            throw new SocketException("Socket output is shutdown");
        }
        return output;
    }

    /** The read deadline in milliseconds, 0 for none (see the class comment). */
    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        checkOpen();
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout can't be negative");
        }
        soTimeout = timeout;
    }

    @Override
    public int getSoTimeout() throws SocketException {
        checkOpen();
        return soTimeout;
    }

    /** Closes the pipe, from any thread: a blocked read or write ends at once. Idempotent. */
    @Override
    public void close() {
        ClientConnection open;
        synchronized (state) {
            if (closed) {
                return;
            }
            closed = true;
            open = connection;
        }
        if (open != null) {
            open.close();
        }
    }

    /** Later reads return -1; on a Unix domain socket the kernel's half-close as well (see the class comment). */
    @Override
    public void shutdownInput() throws IOException {
        checkConnected();
        if (inputShut) {
            throw new SocketException("Socket input is already shutdown");
        }
        inputShut = true;
        connection.shutdownInput();
    }

    /** A Unix domain socket's half-close; on a named pipe, later writes fail and the server is told nothing (see the class comment). */
    @Override
    public void shutdownOutput() throws IOException {
        checkConnected();
        if (outputShut) {
            throw new SocketException("Socket output is already shutdown");
        }
        outputShut = true;
        connection.shutdownOutput();
    }

    @Override
    public boolean isConnected() {
        return connection != null;
    }

    /** Bound once connected, as a {@code Socket} is; it has no local address all the same. */
    @Override
    public boolean isBound() {
        return connection != null;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public boolean isInputShutdown() {
        return inputShut;
    }

    @Override
    public boolean isOutputShutdown() {
        return outputShut;
    }

    /** The {@link PipeAddress} once connected, else null. */
    @Override
    public SocketAddress getRemoteSocketAddress() {
        return connection == null ? null : address;
    }

    /**
     * On a socket a server socket accepted, the pipe it was accepted on (the {@link PipeAddress});
     * else null: a pipe's client has no address of its own.
     */
    @Override
    public SocketAddress getLocalSocketAddress() {
        return acceptedHere ? address : null;
    }

    /** Null: a pipe has no IP address. */
    @Override
    public InetAddress getInetAddress() {
        return null;
    }

    /** The wildcard address, as for a socket not bound to an IP address. */
    @Override
    public InetAddress getLocalAddress() {
        return new InetSocketAddress(0).getAddress();
    }

    /** 0: a pipe has no port. */
    @Override
    public int getPort() {
        return 0;
    }

    /** -1: a pipe has no local port. */
    @Override
    public int getLocalPort() {
        return -1;
    }

    /** Null: this socket was not made from a channel. */
    @Override
    public SocketChannel getChannel() {
        return null;
    }

    @Override
    public void setTcpNoDelay(boolean on) throws SocketException {
        options.remember("TCP_NODELAY", on);
    }

    @Override
    public boolean getTcpNoDelay() throws SocketException {
        return options.flag("TCP_NODELAY");
    }

    @Override
    public void setSoLinger(boolean on, int seconds) throws SocketException {
        checkOpen();
        if (on && seconds < 0) {
            throw new IllegalArgumentException("invalid value for SO_LINGER");
        }
        options.remember("SO_LINGER", on ? Math.min(seconds, 65535) : -1);
    }

    @Override
    public int getSoLinger() throws SocketException {
        return options.number("SO_LINGER");
    }

    /** Refused: a pipe has no urgent data. */
    @Override
    public void sendUrgentData(int data) throws IOException {
        throw new SocketException("a pipe has no urgent data");
    }

    @Override
    public void setOOBInline(boolean on) throws SocketException {
        checkOpen();
        oobInline = on;
    }

    @Override
    public boolean getOOBInline() throws SocketException {
        checkOpen();
        return oobInline;
    }

    @Override
    public void setSendBufferSize(int size) throws SocketException {
        checkOpen();
        if (size <= 0) {
            throw new IllegalArgumentException("negative send size");
        }
        options.remember("SO_SNDBUF", size);
    }

    @Override
    public int getSendBufferSize() throws SocketException {
        return options.number("SO_SNDBUF");
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        checkOpen();
        if (size <= 0) {
            throw new IllegalArgumentException("invalid receive size");
        }
        options.remember("SO_RCVBUF", size);
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return options.number("SO_RCVBUF");
    }

    @Override
    public void setKeepAlive(boolean on) throws SocketException {
        options.remember("SO_KEEPALIVE", on);
    }

    @Override
    public boolean getKeepAlive() throws SocketException {
        return options.flag("SO_KEEPALIVE");
    }

    @Override
    public void setTrafficClass(int tc) throws SocketException {
        checkOpen();
        if (tc < 0 || tc > 255) {
            throw new IllegalArgumentException("tc is not in range 0 -- 255");
        }
        options.remember("IP_TOS", tc);
    }

    @Override
    public int getTrafficClass() throws SocketException {
        return options.number("IP_TOS");
    }

    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        options.remember("SO_REUSEADDR", on);
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        return options.flag("SO_REUSEADDR");
    }

    @Override
    public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
        // a pipe has no choice to make
    }

    /**
     * Accepts the options a TCP socket has ({@link #supportedOptions()}, and the keep-alive tuning
     * {@code TCP_KEEPIDLE}, {@code TCP_KEEPINTERVAL} and {@code TCP_KEEPCOUNT}, which HTTP clients
     * set through {@code jdk.net.Sockets}), remembering each for {@link #getOption}; they change
     * nothing on a pipe. Any other option is refused, as the {@code Socket} contract says.
     *
     * @throws UnsupportedOperationException for an option no TCP socket has
     */
    @Override
    public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
        options.set(name, value);
        return this;
    }

    /** What {@link #setOption} or the option's setter remembered, or its default here (null for keep-alive tuning never set). */
    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return options.get(name);
    }

    /** The standard options of a TCP socket, accepted and changing nothing (see {@link #setOption}). */
    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return options.supported();
    }

    @Override
    public String toString() {
        return "PipeSocket[" + (acceptedHere ? "accepted on " : "") + address + (closed ? ", closed" : connection != null ? ", connected" : ", unconnected") + "]";
    }

    private void checkOpen() throws SocketException {
        if (closed) {
            throw new SocketException("Socket is closed");
        }
    }

    private void checkConnected() throws SocketException {
        checkOpen();
        if (connection == null) {
            throw new SocketException("Socket is not connected");
        }
    }

    /** pipekit's failure as a {@code Socket} says it: a timeout and this side's close have their own types there. */
    private IOException asSocketFailure(PipeException e) {
        if (e instanceof PipeTimeoutException) {
            SocketTimeoutException timeout = new SocketTimeoutException("Read timed out");
            timeout.initCause(e);
            return timeout;
        }
        if (e instanceof PipeClosedException || closed) {
            SocketException socketClosed = new SocketException("Socket closed"); // no (message, cause) constructor before Java 19
            socketClosed.initCause(e);
            return socketClosed;
        }
        return e;
    }

    /** Reads with this socket's deadline; readers queue, as on a {@code Socket}. */
    private final class Input extends InputStream {
        private final byte[] one = new byte[1];

        @Override
        public int read() throws IOException {
            readLock.lock(); // `one` is shared: held across both reads
            try {
                int count = read(one, 0, 1);
                return count < 0 ? -1 : one[0] & 0xff;
            } finally {
                readLock.unlock();
            }
        }

        @Override
        public int read(byte[] into, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, into.length);
            readLock.lock();
            try {
                checkOpen();
                if (inputShut) {
                    return -1;
                }
                if (length == 0) {
                    return 0;
                }
                int timeout = soTimeout;
                return connection.read(into, offset, length, timeout == 0 ? ClientConnection.NO_TIMEOUT : timeout);
            } catch (PipeException e) {
                if (inputShut && !closed) {
                    return -1;
                }
                throw asSocketFailure(e);
            } finally {
                readLock.unlock();
            }
        }

        /** What can be read without waiting (an estimate); 0 while another thread reads. */
        @Override
        public int available() throws IOException {
            checkOpen();
            if (inputShut || !readLock.tryLock()) {
                return 0;
            }
            try {
                return connection.available();
            } catch (PipeException e) {
                throw asSocketFailure(e);
            } finally {
                readLock.unlock();
            }
        }

        @Override
        public void close() {
            PipeSocket.this.close();
        }
    }

    /** Writes with no deadline, each call one write; writers queue, as on a {@code Socket}. */
    private final class Output extends OutputStream {
        private final byte[] one = new byte[1];

        @Override
        public void write(int b) throws IOException {
            writeLock.lock();
            try {
                one[0] = (byte) b;
                write(one, 0, 1);
            } finally {
                writeLock.unlock();
            }
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            Objects.checkFromIndexSize(offset, length, bytes.length);
            writeLock.lock();
            try {
                checkOpen();
                if (outputShut) {
                    throw new SocketException("Socket output is shutdown");
                }
                if (length > 0) {
                    connection.send(bytes, offset, length, ClientConnection.NO_TIMEOUT);
                }
            } catch (PipeException e) {
                throw asSocketFailure(e);
            } finally {
                writeLock.unlock();
            }
        }

        @Override
        public void close() {
            PipeSocket.this.close();
        }
    }
}
