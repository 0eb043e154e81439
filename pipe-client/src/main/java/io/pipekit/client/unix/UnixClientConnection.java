package io.pipekit.client.unix;

import io.pipekit.client.internal.CallerRoles;
import io.pipekit.client.internal.Deadline;
import io.pipekit.client.internal.Interrupts;
import io.pipekit.core.MessageTooLargeException;
import io.pipekit.core.NoSuchPipeException;
import io.pipekit.core.PipeBusyException;
import io.pipekit.core.PeerClosedException;
import io.pipekit.core.PipeAccessDeniedException;
import io.pipekit.core.PipeClosedException;
import io.pipekit.core.PeerIdentity;
import io.pipekit.core.PipeException;
import io.pipekit.core.PipeIoException;
import io.pipekit.core.UntrustedServerException;
import io.pipekit.core.unix.PeerCredentials;
import io.pipekit.core.PipeTimeoutException;
import io.pipekit.core.ReadMode;
import io.pipekit.core.transport.ClientConfig;
import io.pipekit.core.transport.ClientConnection;
import io.pipekit.core.unix.FrameReader;
import io.pipekit.core.unix.FrameWriter;
import io.pipekit.core.unix.Frames;
import io.pipekit.core.unix.SocketLock;
import io.pipekit.core.unix.SocketPaths;
import java.io.Closeable;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * The client end of pipekit's Unix-domain-socket transport: whole messages in length-prefixed
 * frames (docs/protocol.md) in message read mode, the raw stream in byte read mode (a byte-type
 * server's). Connecting never blocks: it retries while the socket does not exist, nobody accepts
 * on it yet, or the server is full (its backlog, or every instance it allows, taken), until the
 * timeout, then says "no such pipe" or "busy", as the last attempt found.
 *
 * <p>The channel is non-blocking, and each direction waits in a selector of its own, made the
 * first time that direction has to wait: so a receive can time out, a reader and a writer can
 * wait at once, and {@link #close()} from another thread wakes both.
 */
public final class UnixClientConnection implements ClientConnection {
    private static final int READ_CHUNK = 64 * 1024;

    private final SocketChannel channel;
    private final PeerIdentity server;
    private final Path path;
    // Made once: a stream's reads and writes come in thousands, and each would build its own.
    private final String sendOperation;
    private final String receiveOperation;
    private final String readOperation;
    private final boolean readOnly;
    private final boolean framed;
    private final FrameReader frames;
    private final Waiter readWaiter;
    private final Waiter writeWaiter;
    private final FrameWriter output = new FrameWriter(4096);
    private volatile boolean closed;
    private final AtomicBoolean reading = new AtomicBoolean();
    private final AtomicBoolean writing = new AtomicBoolean();
    /** {@link System#nanoTime()}, or a test's stand-in: every receive deadline is read off it. */
    LongSupplier clock = System::nanoTime;

    private UnixClientConnection(SocketChannel channel, Path path, ClientConfig config, PeerIdentity server) {
        this.server = server;
        this.channel = channel;
        this.path = path;
        this.sendOperation = "send to " + path;
        this.receiveOperation = "receive from " + path;
        this.readOperation = "read from " + path;
        this.readOnly = config.readOnly();
        // A socket has no pipe type to ask for: AUTO reads pipekit's default, message-type pipes.
        this.framed = config.readMode() != ReadMode.BYTE;
        this.frames = new FrameReader(config.maxMessageSize(), READ_CHUNK);
        this.readWaiter = new Waiter(channel, SelectionKey.OP_READ);
        this.writeWaiter = new Waiter(channel, SelectionKey.OP_WRITE);
    }

    /** Connects to the socket of {@code config.name()}, retrying until the timeout. */
    public static UnixClientConnection connect(ClientConfig config) throws PipeException {
        Path path = SocketPaths.forName(config.name());
        String operation = "connect " + path;
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(path);
        Deadline deadline = Deadline.after(config.connectTimeout());
        while (true) {
            boolean busy;
            SocketChannel channel = null;
            boolean connected = false;
            try {
                channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                // Non-blocking: a blocking connect to a full backlog would sleep until the server
                // accepts, whatever the timeout; this one says EAGAIN at once.
                channel.configureBlocking(false);
                if (!channel.connect(address) && !awaitConnected(channel, deadline)) {
                    busy = true;
                } else {
                    UnixClientConnection connection = checked(channel, path, config, operation);
                    connected = true;
                    return connection;
                }
            } catch (ConnectException refused) {
                // ECONNREFUSED: a stale socket nobody accepts on, or a live server of an older
                // pipekit that closed its listener at its instance limit (macOS also says it of a
                // full backlog): the server's lock tells them apart.
                busy = SocketLock.isHeld(path);
            } catch (SocketException e) {
                // No socket file (ENOENT): no server, or one between two listens (its lock held).
                // Else the backlog is full (EAGAIN), unless the socket is not ours to connect to.
                Object owner = ownerUid(path);
                if (owner != null && Integer.toUnsignedLong((Integer) owner) != PeerCredentials.currentUid() && !Files.isWritable(path)) {
                    throw new PipeAccessDeniedException(operation, PipeException.NO_CODE, "access denied: " + e.getMessage());
                }
                busy = owner != null || SocketLock.isHeld(path);
            } catch (ClosedByInterruptException e) {
                throw Interrupts.interrupted(operation, "no connection was made", e);
            } catch (PipeException e) {
                throw e;
            } catch (IOException e) {
                throw new PipeIoException(operation, PipeException.NO_CODE, e.toString(), e);
            } finally {
                if (!connected) {
                    closeQuietly(channel);
                }
            }
            if (deadline.expired()) {
                throw busy
                        ? new PipeBusyException(operation, PipeException.NO_CODE,
                                "the server stayed busy until the timeout (every instance it allows taken, or its backlog full)")
                        : new NoSuchPipeException(operation, PipeException.NO_CODE, "no such pipe (is the server running?)");
            }
            deadline.pauseBeforeRetry(operation);
        }
    }

    /**
     * The uid owning the file at {@code path}, or null if there is none (it may come and go
     * meanwhile) or it cannot be seen.
     */
    private static Object ownerUid(Path path) {
        try {
            return Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException absent) {
            return null;
        }
    }

    /** A connect in progress (rare on a Unix socket): waits for it until the deadline; whether it completed. */
    private static boolean awaitConnected(SocketChannel channel, Deadline deadline) throws IOException {
        try (Selector selector = Selector.open()) {
            channel.register(selector, SelectionKey.OP_CONNECT);
            long left = deadline.leftMillis();
            if (left > 0) {
                selector.select(left); // never 0 here: 0 would mean no limit
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new ClosedByInterruptException(); // what woke the selector; the caller closes the channel
            }
            return channel.finishConnect();
        }
    }

    /**
     * The connection on {@code channel}, once its server is one {@code config} trusts. Any failure
     * of the check, an unexpected one too, is the caller's to close the channel on.
     */
    private static UnixClientConnection checked(SocketChannel channel, Path path, ClientConfig config, String operation)
            throws IOException {
        PeerIdentity server;
        boolean trusted;
        try {
            server = PeerCredentials.of(channel);
            trusted = PeerCredentials.trusted(server, config.serverTrust());
        } catch (RuntimeException e) {
            throw new PipeIoException(operation, PipeException.NO_CODE, "checking the server's identity failed: " + e, e);
        }
        if (!trusted) {
            throw new UntrustedServerException(operation, server, config.serverTrust().trust());
        }
        return new UnixClientConnection(channel, path, config, server);
    }

    private static void closeQuietly(Closeable closeable) {
        if (closeable != null) {
            try {
                closeable.close();
            } catch (IOException ignored) {
                // nothing more to free
            }
        }
    }

    @Override
    public PeerIdentity serverIdentity() {
        return server;
    }

    @Override
    public ReadMode readMode() {
        return framed ? ReadMode.MESSAGE : ReadMode.BYTE;
    }

    @Override
    public void send(byte[] bytes, int offset, int length, long timeoutMillis) throws PipeException {
        String operation = sendOperation;
        checkWritable(operation);
        CallerRoles.claim(writing, operation, "writer");
        try {
            output.start(bytes, offset, length, framed);
            writeOut((framed ? Frames.HEADER_BYTES : 0) + length, timeoutMillis, operation);
        } finally {
            writing.set(false);
        }
    }

    /**
     * In byte read mode a direct buffer goes to the socket as it is, with no copy on the way: the
     * one copy C makes. A heap buffer, or a message to frame, goes through the output's staging buffer.
     */
    @Override
    public void send(ByteBuffer from, long timeoutMillis) throws PipeException {
        String operation = sendOperation;
        checkWritable(operation);
        CallerRoles.claim(writing, operation, "writer");
        int position = from.position();
        try {
            if (framed || !from.isDirect()) {
                int total = (framed ? Frames.HEADER_BYTES : 0) + from.remaining();
                output.start(from, framed);
                writeOut(total, timeoutMillis, operation);
            } else {
                writeAll(from, timeoutMillis, operation);
            }
        } catch (PipeTimeoutException e) {
            if (!closed) {
                from.position(position); // nothing went out: the caller may send it again
            }
            throw e;
        } finally {
            writing.set(false);
        }
    }

    private void checkWritable(String operation) throws PipeException {
        ensureOpen(operation);
        if (readOnly) {
            // As on Windows, where a client opened for reading only cannot write to the pipe.
            throw new PipeAccessDeniedException(operation, PipeException.NO_CODE, "the client was opened read-only");
        }
    }

    /**
     * Writes all of {@code bytes}, waiting while the socket buffer is full, until close or
     * {@code timeoutMillis} ({@link ClientConnection#NO_TIMEOUT}: no limit). A time-out before the
     * first byte went out leaves the connection usable; after part of it, the rest could no longer
     * follow whole (a frame's header promises its body), so the connection is closed.
     */
    private void writeAll(ByteBuffer bytes, long timeoutMillis, String operation) throws PipeException {
        long startNanos = clock.getAsLong();
        int total = bytes.remaining();
        try {
            while (true) {
                channel.write(bytes);
                if (!bytes.hasRemaining()) {
                    return;
                }
                long left = Deadline.leftMillis(clock, startNanos, timeoutMillis); // one reading of the clock
                if (left == 0) {
                    throw sendTimedOut(total - bytes.remaining(), total, timeoutMillis, operation);
                }
                writeWaiter.await(left); // the socket buffer is full: wait until it drains
                ensureOpen(operation);
            }
        } catch (IOException e) {
            throw e instanceof PipeException pipe ? pipe : failure(operation, e);
        }
    }

    /**
     * {@link #writeAll} for the message started in {@link #output}, {@code total} bytes with its
     * header: piece by piece when it is larger than the staging buffer, each piece written as
     * soon as it is copied. The same time-out rule: usable after nothing went out, closed after part.
     */
    private void writeOut(int total, long timeoutMillis, String operation) throws PipeException {
        long startNanos = clock.getAsLong();
        int sent = 0;
        try {
            while (true) {
                ByteBuffer bytes = output.buffer();
                sent += channel.write(bytes);
                boolean full = bytes.hasRemaining();
                if (!output.advance()) {
                    return;
                }
                if (!full) {
                    continue; // the next piece, copied just now
                }
                long left = Deadline.leftMillis(clock, startNanos, timeoutMillis); // one reading of the clock
                if (left == 0) {
                    throw sendTimedOut(sent, total, timeoutMillis, operation);
                }
                writeWaiter.await(left); // the socket buffer is full: wait until it drains
                ensureOpen(operation);
            }
        } catch (IOException e) {
            throw e instanceof PipeException pipe ? pipe : failure(operation, e);
        }
    }

    private PipeTimeoutException sendTimedOut(int sent, int total, long timeoutMillis, String operation) {
        if (sent == 0) {
            return new PipeTimeoutException(operation, PipeException.NO_CODE,
                    "the socket took nothing within " + timeoutMillis + " ms (is the server reading?); the connection stays usable");
        }
        close();
        return new PipeTimeoutException(operation, PipeException.NO_CODE, "the socket took " + sent + " of " + total
                + " bytes within " + timeoutMillis + " ms; the connection is closed, as the rest can no longer follow whole");
    }

    @Override
    public byte[] receive(long timeoutMillis) throws PipeException {
        String operation = receiveOperation;
        ensureOpen(operation);
        CallerRoles.claim(reading, operation, "reader");
        long startNanos = clock.getAsLong();
        try {
            while (true) {
                // Large reads: one system call carries header and body, and a large body's rest
                // goes straight into its array.
                byte[] message = framed ? nextFrame(operation) : frames.nextChunk();
                if (message != null) {
                    return message;
                }
                if (fill(framed ? frames.readTarget() : frames.input(), startNanos, timeoutMillis, operation) < 0) {
                    throw new PeerClosedException(operation, PipeException.NO_CODE, "the server closed the connection");
                }
            }
        } catch (IOException e) {
            throw e instanceof PipeException pipe ? pipe : failure(operation, e);
        } finally {
            reading.set(false);
        }
    }

    @Override
    public int read(byte[] into, int offset, int length, long timeoutMillis) throws PipeException {
        String operation = readOperation;
        ensureOpen(operation);
        if (length == 0) {
            return 0;
        }
        CallerRoles.claim(reading, operation, "reader");
        long startNanos = clock.getAsLong();
        try {
            if (!framed) {
                int buffered = frames.takeBytes(into, offset, length); // left over from a receive()
                if (buffered > 0) {
                    return buffered;
                }
                // Read no more than asked, as a blocking read(2) would: nothing is left over to
                // carry to the next call, and that call starts with a read of its own.
                ByteBuffer input = frames.input();
                input.limit(Math.min(length, input.capacity()));
                try {
                    if (fill(input, startNanos, timeoutMillis, operation) < 0) {
                        return -1;
                    }
                } finally {
                    input.limit(input.capacity());
                }
                return frames.takeBytes(into, offset, length);
            }
            if (frames.input().position() < length) {
                // Top up without waiting: a stream read should not return the few bytes left over
                // from the last read when the socket holds more.
                channel.read(frames.input());
            }
            while (true) {
                int taken;
                try {
                    taken = frames.take(into, offset, length);
                } catch (MessageTooLargeException e) {
                    throw notFramed(operation, e);
                }
                if (taken > 0) {
                    return taken;
                }
                if (fill(frames.input(), startNanos, timeoutMillis, operation) < 0) {
                    return endOfFrames(operation);
                }
            }
        } catch (IOException e) {
            throw e instanceof PipeException pipe ? pipe : failure(operation, e);
        } finally {
            reading.set(false);
        }
    }

    /**
     * In byte read mode the socket reads straight into {@code into}, with no copy on the way when
     * it is a direct buffer.
     */
    @Override
    public int read(ByteBuffer into, long timeoutMillis) throws PipeException {
        String operation = readOperation;
        ensureOpen(operation);
        if (!into.hasRemaining()) {
            return 0;
        }
        CallerRoles.claim(reading, operation, "reader");
        long startNanos = clock.getAsLong();
        try {
            if (!framed) {
                int buffered = frames.takeBytes(into);
                return buffered > 0 ? buffered : fill(into, startNanos, timeoutMillis, operation);
            }
            while (true) {
                int taken;
                try {
                    taken = frames.take(into);
                } catch (MessageTooLargeException e) {
                    throw notFramed(operation, e);
                }
                if (taken > 0) {
                    return taken;
                }
                if (fill(frames.input(), startNanos, timeoutMillis, operation) < 0) {
                    return endOfFrames(operation);
                }
            }
        } catch (IOException e) {
            throw e instanceof PipeException pipe ? pipe : failure(operation, e);
        } finally {
            reading.set(false);
        }
    }

    private byte[] nextFrame(String operation) throws PipeException {
        try {
            return frames.next();
        } catch (MessageTooLargeException e) {
            throw notFramed(operation, e);
        }
    }

    /**
     * A frame over the limit, said with what it most often means on a client: a byte-type server,
     * which sends no frames, read in message read mode, as {@code AUTO} reads every socket (a
     * socket carries no pipe type to ask for, and there is no handshake to learn it).
     */
    private static MessageTooLargeException notFramed(String operation, MessageTooLargeException e) {
        return new MessageTooLargeException(operation, PipeException.NO_CODE, e.getMessage()
                + "; a byte-type server sends no frames: on Unix domain sockets ReadMode.AUTO reads frames, as a socket carries"
                + " no pipe type, so connect to such a server with readMode(ReadMode.BYTE)", e);
    }

    /** End of stream while reading frames as a stream: -1 between frames, an error inside one. */
    private int endOfFrames(String operation) throws PipeException {
        if (frames.midFrame()) {
            throw new PeerClosedException(operation, PipeException.NO_CODE,
                    "the server closed the connection in the middle of a message");
        }
        return -1;
    }

    /**
     * Reads what the socket has into {@code target}, first waiting for it until
     * {@code timeoutMillis} after {@code startNanos} if it has nothing. Returns the count read
     * (at least 1), or -1 at end of stream. (A primitive deadline, not a {@link Deadline}: a
     * stream reads thousands of times.)
     */
    private int fill(ByteBuffer target, long startNanos, long timeoutMillis, String operation) throws IOException {
        while (true) {
            int read = channel.read(target);
            if (read != 0) {
                return read;
            }
            long left = Deadline.leftMillis(clock, startNanos, timeoutMillis); // one reading of the clock
            if (left == 0) {
                throw new PipeTimeoutException(operation, PipeException.NO_CODE, "nothing within " + timeoutMillis + " ms");
            }
            readWaiter.await(left);
            ensureOpen(operation);
        }
    }

    @Override
    public byte[] transact(byte[] message, long sendTimeoutMillis, long receiveTimeoutMillis) throws PipeException {
        send(message, 0, message.length, sendTimeoutMillis);
        return receive(receiveTimeoutMillis);
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    /**
     * In byte read mode: what is buffered here, topped up by one read that does not wait. While
     * another thread reads (the reader role is taken), or in message read mode, 0.
     */
    @Override
    public int available() throws PipeException {
        String operation = readOperation;
        ensureOpen(operation);
        if (framed || !reading.compareAndSet(false, true)) {
            return 0;
        }
        try {
            ByteBuffer input = frames.input();
            if (input.hasRemaining()) {
                channel.read(input); // non-blocking; -1 at the end leaves what is buffered
            }
            return input.position();
        } catch (IOException e) {
            throw failure(operation, e);
        } finally {
            reading.set(false);
        }
    }

    @Override
    public void shutdownOutput() throws PipeException {
        String operation = "shutdown output of " + path;
        ensureOpen(operation);
        try {
            channel.shutdownOutput();
        } catch (IOException e) {
            throw failure(operation, e);
        }
    }

    @Override
    public void shutdownInput() throws PipeException {
        String operation = "shutdown input of " + path;
        ensureOpen(operation);
        try {
            channel.shutdownInput();
        } catch (IOException e) {
            throw failure(operation, e);
        }
    }

    /**
     * What an I/O error on the connected socket means: an interrupt of the waiting thread (the
     * connection is closed, as the JDK's channels close on one), this side's own close (the
     * channel is closed), or the server gone (EPIPE, ECONNRESET: the only errors a connected Unix
     * socket reports).
     */
    private PipeException failure(String operation, IOException e) {
        if (e instanceof ClosedByInterruptException) {
            close();
            return Interrupts.interrupted(operation, "the connection is closed", e);
        }
        return e instanceof ClosedChannelException || closed
                ? new PipeClosedException(operation, PipeException.NO_CODE, "the connection is closed", e)
                : new PeerClosedException(operation, PipeException.NO_CODE, "the server closed the connection (" + e.getMessage() + ")", e);
    }

    private void ensureOpen(String operation) throws PipeException {
        if (closed) {
            throw new PipeClosedException(operation, PipeException.NO_CODE, "the connection is closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        // The selectors first: they wake a reader or writer that waits (it sees the connection
        // closed and says so), and they let go of the channel. A channel still registered with a
        // selector is not closed by close(): the JDK only shuts its output, and closes it when the
        // key is deregistered. The server would see a half-close, then a close: one close, seen at
        // once, is what a client that leaves must send.
        readWaiter.close();
        writeWaiter.close();
        closeQuietly(channel);
    }

    /**
     * Waits for one direction of the channel to be ready. Its selector is made the first time it
     * is needed (a client that never waits costs no descriptors for it) and lives until close.
     */
    private static final class Waiter {
        private final SocketChannel channel;
        private final int interest;
        private Selector selector;
        private boolean closed;

        Waiter(SocketChannel channel, int interest) {
            this.channel = channel;
            this.interest = interest;
        }

        /**
         * Waits until the channel may be ready, {@code timeoutMillis} passes (0: only looks;
         * {@link ClientConnection#NO_TIMEOUT}: no limit), or {@link #close()}.
         */
        void await(long timeoutMillis) throws IOException {
            Selector waitOn;
            synchronized (this) {
                if (closed) {
                    return;
                }
                if (selector == null) {
                    selector = Selector.open();
                    channel.register(selector, interest);
                }
                waitOn = selector;
            }
            try {
                // The action form fills no selected-key set: a wait allocates nothing. To select, 0
                // means "no limit": a deadline that has passed polls instead.
                if (timeoutMillis == 0) {
                    waitOn.selectNow(ready -> { });
                } else {
                    waitOn.select(ready -> { }, timeoutMillis < 0 ? 0 : timeoutMillis);
                }
            } catch (ClosedSelectorException closedMeanwhile) {
                // close() from another thread: the caller finds the connection closed
            }
            // An interrupt wakes a selector and leaves the flag set: every later select would
            // return at once. The caller closes the connection, as the JDK's channels do.
            if (Thread.currentThread().isInterrupted()) {
                throw new ClosedByInterruptException();
            }
        }

        synchronized void close() {
            closed = true;
            if (selector != null) {
                selector.wakeup();
                try {
                    selector.close();
                } catch (IOException ignored) {
                    // the channel is closed already; nothing is left to free
                }
            }
        }
    }
}
