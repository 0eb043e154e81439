package io.pipekit.client;

import io.pipekit.client.unix.UnixClientConnection;
import io.pipekit.client.windows.WindowsClientConnection;
import io.pipekit.core.InvalidMessageException;
import io.pipekit.core.MessageCodec;
import io.pipekit.core.PeerIdentity;
import io.pipekit.core.PipeException;
import io.pipekit.core.PipeName;
import io.pipekit.core.ReadMode;
import io.pipekit.core.ServerTrust;
import io.pipekit.core.Transport;
import io.pipekit.core.transport.ClientConfig;
import io.pipekit.core.transport.ClientConnection;
import io.pipekit.core.transport.ResolvedServerTrust;
import io.pipekit.core.transport.Transports;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.AsynchronousByteChannel;
import java.nio.channels.ByteChannel;
import java.time.Duration;
import java.util.Objects;

/**
 * A client of a named pipe: in message read mode it sends, receives and transacts whole messages;
 * in byte read mode (a byte-type pipe, or {@link ReadMode#BYTE} asked for) the pipe is a stream of
 * bytes, read through {@link #inputStream()} or {@link #channel()}, and the message methods
 * ({@link #receive()}, {@link #transact(byte[])} and their overloads) refuse at once with an
 * {@link IllegalStateException}, as there are no whole messages to return ({@link #readMode()}
 * says which mode is in effect). Either pipe can be read and written as streams
 * ({@link #inputStream()}, {@link #outputStream()}) or as a channel ({@link #channel()},
 * {@link #asyncChannel()}).
 *
 * <pre>{@code
 * try (PipeClient client = PipeClient.connect("mynamedpipe")) {
 *     String answer = client.transact(MessageCodecs.tcharText(), "Default message from client.");
 * }
 * }</pre>
 *
 * <p>On Windows it connects to a named pipe; on Linux and macOS, by default, to the Unix domain
 * socket of the same name, with the same message semantics (see {@link Transport}). The read mode
 * follows the pipe's own type on Windows; on Unix sockets, which carry no pipe type, a client of a
 * byte-type server asks for {@link ReadMode#BYTE} ({@link Builder#readMode}).
 *
 * <p>Connecting retries while every instance is busy ({@code ERROR_PIPE_BUSY}) or the pipe
 * does not exist yet, until the timeout; then it fails with a {@link io.pipekit.core.PipeBusyException}
 * (the pipe exists but stayed busy) or a {@link io.pipekit.core.NoSuchPipeException}. Every
 * failure is a {@link PipeException} whose type says what happened, on both transports: the
 * server closed the connection ({@link io.pipekit.core.PeerClosedException}), this client was
 * closed ({@link io.pipekit.core.PipeClosedException}), a message was too long
 * ({@link io.pipekit.core.MessageTooLargeException}).
 * By default the server may identify this client but not impersonate it, and this client
 * accepts only a server that runs as its own user or as the system ({@link Builder#serverTrust}).
 *
 * <p>Threads: one thread may receive while another sends (one reader and one writer at a
 * time; {@link #transact} counts as both, and the streams, the channels and these methods share
 * the two roles). A second reader or writer while one is in a call gets an
 * {@link IllegalStateException} at once. {@link #close()} may be called from any thread: a
 * call blocked in {@code receive} or {@code send} then ends within milliseconds with a
 * {@link io.pipekit.core.PipeClosedException}, and native memory is freed only once the
 * operations it served have completed.
 *
 * <p>Waiting: a receive waits for the connection's receive timeout ({@link Builder#receiveTimeout},
 * none by default) or the one given to {@link #receive(Duration)}; when it passes, a
 * {@link io.pipekit.core.PipeTimeoutException} leaves the connection usable. A send waits while
 * the pipe is full (a server that does not read) for the send timeout ({@link Builder#sendTimeout},
 * none by default) or the one given to {@link #send(byte[], Duration)}, and then fails with a
 * {@link io.pipekit.core.PipeTimeoutException} too: the connection stays usable if none of the
 * message went out, and is closed (the exception says so) if part of it did, as the rest could no
 * longer follow as one message.
 */
public final class PipeClient implements AutoCloseable {
    /** The connect timeout of {@link #connect(String)}. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

    private final PipeName name;
    private final ClientConnection connection;
    private final long receiveTimeoutMillis;
    private final long sendTimeoutMillis;
    private final PipeInputStream input;
    private final PipeOutputStream output;
    private final PipeByteChannel channel;
    private final PipeAsyncChannel asyncChannel;
    private volatile boolean open = true;

    private PipeClient(PipeName name, ClientConnection connection, long receiveTimeoutMillis, long sendTimeoutMillis) {
        this.name = name;
        this.connection = connection;
        this.receiveTimeoutMillis = receiveTimeoutMillis;
        this.sendTimeoutMillis = sendTimeoutMillis;
        this.input = new PipeInputStream(this, connection, receiveTimeoutMillis);
        this.output = new PipeOutputStream(this, connection, sendTimeoutMillis);
        this.channel = new PipeByteChannel(this, connection, receiveTimeoutMillis, sendTimeoutMillis);
        this.asyncChannel = new PipeAsyncChannel(this, channel);
    }

    /** Connects to {@code name} with the default options and a 5 s timeout. */
    public static PipeClient connect(String name) throws PipeException {
        return builder(name).connect();
    }

    /** A builder for a connection to {@code name} ({@code mynamedpipe} or {@code \\.\pipe\mynamedpipe}). */
    public static Builder builder(String name) {
        return new Builder(PipeName.of(name));
    }

    /** The pipe this client is connected to. */
    public PipeName name() {
        return name;
    }

    /**
     * How this client reads: {@link ReadMode#MESSAGE} (each receive is one whole message) or
     * {@link ReadMode#BYTE} (the pipe is a stream: read it with {@link #inputStream()} or
     * {@link #channel()}; the message methods refuse), never {@code AUTO}.
     */
    public ReadMode readMode() {
        return connection.readMode();
    }

    /**
     * The pipe's bytes as a stream, in either read mode: a message-type pipe's messages follow
     * each other with no boundary. Reads wait for the receive timeout. Read with either this
     * stream or {@code receive}, not both. Closing it closes this client.
     */
    public InputStream inputStream() {
        return input;
    }

    /**
     * Writes to the pipe as a stream. Each {@code write} call is one write: on a message-type pipe,
     * one message, within the send timeout. Closing it closes this client.
     */
    public OutputStream outputStream() {
        return output;
    }

    /**
     * The pipe as a {@link ByteChannel}, with the streams' semantics: reads return what has
     * arrived, writes are one write each. Closing it closes this client.
     */
    public ByteChannel channel() {
        return channel;
    }

    /**
     * The pipe as an {@link AsynchronousByteChannel}: the channel's reads and writes run on a
     * thread per direction, made on first use, and complete a {@code Future} or call a
     * {@code CompletionHandler}; one read and one write may be pending at a time. Closing it closes
     * this client, and a pending operation then fails with an {@code AsynchronousCloseException}.
     */
    public AsynchronousByteChannel asyncChannel() {
        return asyncChannel;
    }

    /** Who serves the pipe, as the operating system vouches for it: checked against {@link Builder#serverTrust} when connecting. */
    public PeerIdentity server() {
        return connection.serverIdentity();
    }

    /** Whether neither {@link #close()} nor a send that timed out part-way has closed this client. */
    public boolean isOpen() {
        return open && connection.isOpen();
    }

    /**
     * Sends one whole message, within the connection's send timeout. In byte read mode it writes
     * these bytes to the stream, as {@link #outputStream()} would: nothing marks where they end,
     * so a protocol on a byte-type pipe frames them itself (for example with
     * {@link io.pipekit.core.LengthPrefixFraming}).
     */
    public void send(byte[] message) throws PipeException {
        connection.send(message, 0, message.length, sendTimeoutMillis);
    }

    /**
     * Sends one whole message, waiting at most {@code timeout} while the pipe is full.
     *
     * @throws io.pipekit.core.PipeTimeoutException if the pipe did not take it in time: the
     *     connection stays usable if none of it went out, and is closed if part of it did
     */
    public void send(byte[] message, Duration timeout) throws PipeException {
        connection.send(message, 0, message.length, millis(timeout));
    }

    /**
     * Receives the next whole message, however long, within the connection's receive timeout.
     *
     * @throws IllegalStateException at once, in byte read mode, where there are no whole messages
     *     to receive: read with {@link #inputStream()} or {@link #channel()} instead
     */
    public byte[] receive() throws PipeException {
        requireMessages("receive()");
        return connection.receive(receiveTimeoutMillis);
    }

    /**
     * Receives the next whole message, waiting at most {@code timeout}.
     *
     * @throws io.pipekit.core.PipeTimeoutException if none came in time; the connection stays usable
     * @throws IllegalStateException at once, in byte read mode (see {@link #receive()})
     */
    public byte[] receive(Duration timeout) throws PipeException {
        requireMessages("receive(Duration)");
        return connection.receive(millis(timeout));
    }

    /**
     * Sends one message and receives the answer, within the connection's send and receive timeouts.
     *
     * @throws IllegalStateException at once, in byte read mode, before anything is sent (see
     *     {@link #receive()}): write and read the stream instead
     */
    public byte[] transact(byte[] request) throws PipeException {
        requireMessages("transact(...)");
        return connection.transact(request, sendTimeoutMillis, receiveTimeoutMillis);
    }

    /**
     * Refuses a message method in byte read mode. A read there returns whatever has arrived,
     * which is no message: an answer cut anywhere would pass for a whole one.
     */
    private void requireMessages(String method) {
        if (connection.readMode() == ReadMode.BYTE) {
            throw new IllegalStateException(method + " needs whole messages, and " + name
                    + " is read in byte read mode, a stream with no message boundaries: read it with inputStream() or channel()"
                    + " (LengthPrefixFraming reads length-prefixed messages from them)");
        }
    }

    /** {@link #send(byte[])} of an encoded value. */
    public <T> void send(MessageCodec<T> codec, T value) throws PipeException {
        send(Objects.requireNonNull(codec, "codec").encode(value));
    }

    /**
     * {@link #receive()} decoded.
     *
     * @throws NullPointerException if {@code codec} is null, before anything is read
     * @throws InvalidMessageException if the codec refused the message (its exception is the
     *     cause): the message was read and is dropped, the connection stays usable, and the next
     *     receive returns the message after it
     */
    public <T> T receive(MessageCodec<T> codec) throws PipeException {
        Objects.requireNonNull(codec, "codec"); // before the receive: a message read for no codec would be lost
        return decoded(codec, receive());
    }

    /**
     * {@link #receive(Duration)} decoded: the next message, waiting at most {@code timeout}.
     *
     * @throws io.pipekit.core.PipeTimeoutException if none came in time; the connection stays usable
     * @throws InvalidMessageException if the codec refused the message, as {@link #receive(MessageCodec)}
     * @throws NullPointerException if {@code codec} is null, before anything is read
     */
    public <T> T receive(MessageCodec<T> codec, Duration timeout) throws PipeException {
        Objects.requireNonNull(codec, "codec");
        return decoded(codec, receive(timeout));
    }

    /**
     * {@link #transact(byte[])} with values.
     *
     * @throws InvalidMessageException if the codec refused the answer, as {@link #receive(MessageCodec)}
     * @throws NullPointerException if {@code codec} is null, before anything is sent
     */
    public <T> T transact(MessageCodec<T> codec, T request) throws PipeException {
        return decoded(codec, transact(Objects.requireNonNull(codec, "codec").encode(request)));
    }

    /**
     * {@link #transact(byte[])} with a codec for the request and another for the answer, as a
     * server's {@code RequestHandler.using(requests, replies, answer)} has.
     *
     * @throws InvalidMessageException if {@code replies} refused the answer, as {@link #receive(MessageCodec)}
     * @throws NullPointerException if either codec is null, before anything is sent
     */
    public <Q, R> R transact(MessageCodec<Q> requests, MessageCodec<R> replies, Q request) throws PipeException {
        Objects.requireNonNull(replies, "replies"); // before the request goes out: its answer would be lost
        return decoded(replies, transact(Objects.requireNonNull(requests, "requests").encode(request)));
    }

    /** A whole message the codec refuses is the caller's typed, checked failure, not an unchecked one. */
    private <T> T decoded(MessageCodec<T> codec, byte[] message) throws InvalidMessageException {
        try {
            return codec.decode(message);
        } catch (RuntimeException e) {
            throw new InvalidMessageException("decode a message from " + name.name(), PipeException.NO_CODE,
                    "the codec refused a message of " + message.length + " bytes (" + e + "); the connection stays usable", e);
        }
    }

    /** {@code timeout}, once it is known to be a timeout: not null, not negative. */
    private static Duration checkedTimeout(Duration timeout, String option) {
        Objects.requireNonNull(timeout, option);
        if (timeout.isNegative()) {
            throw new IllegalArgumentException(option + " must not be negative: " + timeout);
        }
        return timeout;
    }

    private static long millis(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        }
        // Round up: a wait never ends before the time it was given.
        return Math.min(Long.MAX_VALUE / 2, timeout.plusNanos(999_999).toMillis());
    }

    /** Disconnects, from any thread; a call blocked on this client ends with a PipeClosedException. Idempotent. */
    @Override
    public void close() {
        open = false;
        connection.close();
        asyncChannel.shutDown();
    }

    /**
     * Configures and opens a {@link PipeClient}. Each setter checks its value when it is called
     * and refuses a bad one (a negative timeout, a size below one, a null) with an
     * {@link IllegalArgumentException} or {@link NullPointerException} naming the option, leaving
     * the builder as it was; {@link #connect()} makes no native call before all are known good.
     */
    public static final class Builder {
        private final PipeName name;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private boolean readOnly;
        private boolean allowImpersonation;
        private int maxMessageSize = 16 * 1024 * 1024;
        private Duration receiveTimeout;
        private Duration sendTimeout;
        private Transport transport = Transport.forThisOs();
        private ReadMode readMode = ReadMode.AUTO;
        private ResolvedServerTrust serverTrust = ResolvedServerTrust.of(ServerTrust.currentUserOrSystem());

        private Builder(PipeName name) {
            this.name = name;
        }

        /**
         * How long to keep trying while the pipe is absent or busy; zero means one attempt.
         *
         * @throws IllegalArgumentException if {@code timeout} is negative
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = checkedTimeout(timeout, "connectTimeout");
            return this;
        }

        /**
         * Opens for reading only: sending fails. On Windows it still asks for
         * {@code FILE_WRITE_ATTRIBUTES}, which message read mode needs.
         */
        public Builder readOnly() {
            this.readOnly = true;
            return this;
        }

        /**
         * Lets the server impersonate this client ({@code SECURITY_IMPERSONATION}); off by default.
         * Windows named pipes only: Unix sockets have no impersonation, so there it changes nothing.
         */
        public Builder allowImpersonation() {
            this.allowImpersonation = true;
            return this;
        }

        /**
         * How long {@link PipeClient#receive()} and {@link PipeClient#transact} wait for a message
         * before they fail with a {@link io.pipekit.core.PipeTimeoutException}. By default they
         * wait as long as it takes, as a socket does.
         *
         * @throws IllegalArgumentException if {@code timeout} is negative
         */
        public Builder receiveTimeout(Duration timeout) {
            this.receiveTimeout = checkedTimeout(timeout, "receiveTimeout");
            return this;
        }

        /**
         * How long {@link PipeClient#send(byte[])}, {@link PipeClient#transact} and the streams'
         * and channels' writes wait while the pipe is full (a server that does not read) before they
         * fail with a {@link io.pipekit.core.PipeTimeoutException}. By default they wait as long as
         * it takes, as a socket does.
         *
         * @throws IllegalArgumentException if {@code timeout} is negative
         */
        public Builder sendTimeout(Duration timeout) {
            this.sendTimeout = checkedTimeout(timeout, "sendTimeout");
            return this;
        }

        /**
         * The largest message accepted from the server (default 16 MiB).
         *
         * @throws IllegalArgumentException if {@code bytes} is not positive
         */
        public Builder maxMessageSize(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxMessageSize must be positive, got " + bytes);
            }
            this.maxMessageSize = bytes;
            return this;
        }

        /**
         * How to read the pipe: the default, {@link ReadMode#AUTO}, follows the pipe's own type on
         * Windows and reads messages on Unix domain sockets, where a client cannot learn the
         * server's pipe type, so give {@link ReadMode#BYTE} there for a byte-type server. On
         * Windows {@code AUTO} reads a message-type pipe in message read mode and a byte-type one
         * in byte read mode. In byte read mode the pipe is read through {@link PipeClient#inputStream()}
         * or {@link PipeClient#channel()}, and {@code receive} and {@code transact} refuse.
         */
        public Builder readMode(ReadMode readMode) {
            this.readMode = Objects.requireNonNull(readMode, "readMode");
            return this;
        }

        /**
         * The transport to connect over (default: {@link Transport#forThisOs()}); it must be the server's.
         * Each transport runs on its own kind of operating system only: named pipes need Windows,
         * and pipekit's Unix domain sockets need Linux or macOS.
         *
         * @throws IllegalArgumentException for {@link Transport#WINDOWS_NAMED_PIPES} on another
         *     operating system, which has no named pipes to connect to, or for
         *     {@link Transport#UNIX_DOMAIN_SOCKETS} on Windows, which pipekit does not support
         */
        public Builder transport(Transport transport) {
            Objects.requireNonNull(transport, "transport");
            this.transport = Transports.checkedForThisOs(transport);
            return this;
        }

        /**
         * Which servers to accept, by the user the server process runs as; checked right after
         * connecting, before anything is sent. Default: {@link ServerTrust#currentUserOrSystem()},
         * which stops a squatter of any other user. A server of another user fails the connect
         * with an {@link io.pipekit.core.UntrustedServerException}.
         *
         * <p>The accounts the trust names ({@link ServerTrust#user}, {@link ServerTrust#orUser})
         * are looked up here, once, in this system's accounts: on Windows their SIDs
         * ({@code LookupAccountName}; a SID string is taken as it is), on Unix their uids (a
         * number is a uid). A SID names no account on Unix: it accepts no server there.
         *
         * @throws IllegalArgumentException naming the account, if this system does not know an
         *     account the trust names, or could not look it up (on Windows, a domain controller
         *     out of reach, say); the builder keeps the trust it had
         */
        public Builder serverTrust(ServerTrust trust) {
            this.serverTrust = ResolvedServerTrust.of(Objects.requireNonNull(trust, "serverTrust"));
            return this;
        }

        /**
         * Connects, retrying as the class comment describes. Every option was checked by its
         * setter, so a failure here comes from the pipe, never from a value set before.
         */
        public PipeClient connect() throws PipeException {
            ClientConnection connection = connectTransport();
            return new PipeClient(name, connection, receiveTimeout == null ? ClientConnection.NO_TIMEOUT : millis(receiveTimeout),
                    sendTimeout == null ? ClientConnection.NO_TIMEOUT : millis(sendTimeout));
        }

        /** The transport's connection alone, for {@link PipeSocket}, which times each read itself. */
        ClientConnection connectTransport() throws PipeException {
            ClientConfig config = new ClientConfig(name, connectTimeout, readOnly, allowImpersonation, maxMessageSize, readMode,
                    serverTrust);
            return switch (transport) {
                case WINDOWS_NAMED_PIPES -> WindowsClientConnection.connect(config);
                case UNIX_DOMAIN_SOCKETS -> UnixClientConnection.connect(config);
            };
        }
    }
}
