package io.pipekit.server;

import io.pipekit.core.PipeInterruptedException;
import io.pipekit.core.PipeNameInUseException;
import io.pipekit.core.PipeException;
import io.pipekit.core.PipeIoException;
import io.pipekit.core.PipeName;
import io.pipekit.core.PipeType;
import io.pipekit.core.Transport;
import io.pipekit.core.transport.ServerConfig;
import io.pipekit.core.transport.ServerConnection;
import io.pipekit.core.transport.ServerLoop;
import io.pipekit.core.transport.Transports;
import io.pipekit.server.internal.Answerer;
import io.pipekit.server.internal.DrivenConnection;
import io.pipekit.server.internal.Session;
import io.pipekit.server.internal.StreamBridge;
import io.pipekit.server.unix.SelectorLoop;
import io.pipekit.server.windows.CompletionRoutineLoop;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A named pipe server in the design of Microsoft's single-threaded server using completion
 * routines: one thread and overlapped I/O serve every client. What the server does with each
 * client depends on its handler: a request handler keeps the sample's chain read, answer, write,
 * read; a connection handler hears every message while sends go out at any time; a stream
 * handler gets blocking streams on a thread of its own.
 *
 * <p>Four kinds of handler, one per server (the builder refuses a second):
 * <ul>
 *   <li>{@link Builder#handler} ({@link RequestHandler}): answers each request on the server
 *       thread, as the sample does;</li>
 *   <li>{@link Builder#asyncHandler} ({@link AsyncRequestHandler}): answers each request later,
 *       from any thread, while the server serves the other clients;</li>
 *   <li>{@link Builder#connectionHandler} ({@link ConnectionHandler}): drives each connection
 *       yourself: hears every message as it arrives, and {@link Connection#send}s to any client
 *       at any time, from any thread, while a read stays pending;</li>
 *   <li>{@link Builder#streamHandler(StreamHandler)} ({@link StreamHandler}): serves each
 *       connection with blocking streams, on a thread of its own.</li>
 * </ul>
 * The last two list their clients in {@link #connections()}; the first two see each client as a
 * {@link ClientInfo}.
 *
 * <pre>{@code
 * try (PipeServer server = PipeServer.builder("mynamedpipe")
 *         .handler(RequestHandler.using(MessageCodecs.utf16le(), (client, request) -> "Default answer from server"))
 *         .start()) {
 *     server.awaitTermination();
 * }
 * }</pre>
 *
 * <p>{@link Builder#start()} returns once the pipe is served, or throws if it cannot be (for
 * example when another server already serves the name, or when the calling thread is interrupted
 * meanwhile: then nothing is left serving, and the name is free). {@link #close()} may be called from
 * any thread, the server's own included: it disconnects every client, cancels pending I/O,
 * frees all native memory and returns once the server thread has exited.
 *
 * <p>On Windows it serves a named pipe; on Linux and macOS a Unix domain socket with the same
 * message semantics (see {@link Transport}). Each transport runs on its own kind of system only:
 * {@link Builder#transport} refuses the other.
 *
 * <p>Secure by default: the first instance is created with {@code FILE_FLAG_FIRST_PIPE_INSTANCE}
 * (no pipe squatting), remote clients are rejected ({@code PIPE_REJECT_REMOTE_CLIENTS}), and
 * only the current user and SYSTEM may connect unless {@link Builder#securityDescriptor} says
 * otherwise.
 */
public final class PipeServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("io.pipekit.server");

    /** What hears a refused client's connection end: nothing is left to do. */
    private static final ServerConnection.Listener REFUSED = new ServerConnection.Listener() {
        @Override
        public void messageRead(byte[] message) {
        }

        @Override
        public void messageWritten() {
        }

        @Override
        public void closed(PipeException cause) {
        }
    };

    /** The default of {@link Builder#maxQueuedBytes}: 1 MiB per connection. */
    public static final long DEFAULT_MAX_QUEUED_BYTES = 1024 * 1024;

    private final PipeName name;
    private final ServerLoop loop;
    private final Thread thread;
    private final Set<Connection> connections;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final AtomicBoolean closing;

    private PipeServer(PipeName name, ServerLoop loop, Thread thread, Set<Connection> connections, AtomicBoolean closing) {
        this.name = name;
        this.loop = loop;
        this.thread = thread;
        this.connections = connections;
        this.closing = closing;
    }

    /**
     * The connections open at this moment, for broadcast: a copy, safe to use from any thread.
     * It lists the clients of a server with a {@link Builder#connectionHandler connection handler}
     * or a {@link Builder#streamHandler(StreamHandler) stream handler}, each from the moment its
     * handler has heard of it ({@code connected} has returned, or the stream handler's thread is
     * started) until it is closed. It is always empty for a server that answers requests
     * ({@link Builder#handler}, {@link Builder#asyncHandler}): their clients are driven by their
     * requests alone, and have no {@link Connection} to send to; a {@link ClientInfo} is what
     * those handlers see.
     */
    public List<Connection> connections() {
        return List.copyOf(connections);
    }

    /** A builder for a server of the pipe {@code name} ({@code mynamedpipe} or {@code \\.\pipe\mynamedpipe}). */
    public static Builder builder(String name) {
        return new Builder(PipeName.of(name));
    }

    /** The pipe this server serves. */
    public PipeName name() {
        return name;
    }

    /** Where clients reach this server: {@code \\.\pipe\name} on Windows, the socket path on Unix. */
    public String endpoint() {
        return loop.endpoint();
    }

    /** Whether the server thread is still serving. */
    public boolean isRunning() {
        return terminated.getCount() > 0;
    }

    /** Blocks until the server has been closed and its thread has exited. */
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    /**
     * Stops serving: disconnects every client, cancels pending I/O, closes every instance and
     * frees all native memory, then returns once the server thread has exited. Called on the
     * server thread itself (from a handler), it only asks the loop to stop. Idempotent.
     */
    @Override
    public void close() {
        closing.set(true);
        loop.stop();
        if (Thread.currentThread() == thread) {
            return;
        }
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops accepting clients while those connected are served on ({@link ServerLoop#stopAccepting()}):
     * a server socket's close. Returns once no client can connect any more (called on the server
     * thread, it only asks). The server thread ends once the last connected client has closed.
     */
    void stopAccepting() {
        CompletableFuture<Void> listenerGone = loop.stopAccepting();
        if (Thread.currentThread() == thread) {
            return;
        }
        boolean interrupted = false;
        while (true) {
            try {
                listenerGone.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException e) {
                throw new IllegalStateException("stopping to accept failed", e.getCause()); // endAccepting throws nothing
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Configures and starts a {@link PipeServer}. */
    public static final class Builder {
        /** The longest {@link #defaultClientWait} the pipe's {@code nDefaultTimeOut} (milliseconds, as an int here) holds. */
        private static final Duration MAX_CLIENT_WAIT = Duration.ofMillis(Integer.MAX_VALUE);
        private final PipeName name;
        private RequestHandler handler;
        private AsyncRequestHandler asyncHandler;
        private ConnectionHandler connectionHandler;
        private StreamHandler streamHandler;
        private ThreadFactory streamThreads; // null: a platform daemon thread per connection
        private long maxQueuedBytes = DEFAULT_MAX_QUEUED_BYTES;
        private int maxInstances = ServerConfig.UNLIMITED_INSTANCES;
        private Integer listeningInstances; // null: the default, DEFAULT_LISTENING_INSTANCES within maxInstances
        private int inBufferSize = 4096;
        private int outBufferSize = 4096;
        private Duration defaultClientWait = Duration.ofSeconds(5);
        private String securityDescriptor;
        private int maxMessageSize = 16 * 1024 * 1024;
        private Transport transport = Transport.forThisOs();
        private PipeType pipeType = PipeType.MESSAGE;
        private Admission admission = Admission.everyone();
        private String handlerSetter; // which of the four handler setters was called, for the message if another is
        private boolean daemonThread; // the server thread as a server socket's: never keeps the JVM alive

        /** {@link #listeningInstances}'s default, lowered to {@link #maxInstances} if that is smaller. */
        private static final int DEFAULT_LISTENING_INSTANCES = 4;

        private Builder(PipeName name) {
            this.name = name;
        }

        /**
         * Makes the server thread a daemon, whatever the starting thread is: a
         * {@link PipeServerSocket}'s, which, like {@code java.net.ServerSocket}, keeps no JVM alive,
         * neither while it listens nor for the sockets it accepted. A {@code PipeServer}'s thread
         * takes the starting thread's daemon status, as threads do.
         */
        Builder daemonThread() {
            this.daemonThread = true;
            return this;
        }

        /**
         * Answers each request on the server thread. A server has one kind of handler: once this
         * is set, {@link #asyncHandler}, {@link #connectionHandler} and {@link #streamHandler}
         * throw; calling this again replaces the handler. Message-type pipes only: on a
         * {@link PipeType#BYTE byte-type} pipe {@link #start()} refuses it (use
         * {@link FramedRequests}).
         *
         * @throws IllegalStateException if another kind of handler is set already
         */
        public Builder handler(RequestHandler handler) {
            Objects.requireNonNull(handler, "handler");
            settingHandler("handler");
            this.handler = handler;
            return this;
        }

        /** Refuses a second kind of handler: a server is one of the four kinds, and the last call used to win silently. */
        private void settingHandler(String setter) {
            if (handlerSetter != null && !handlerSetter.equals(setter)) {
                throw new IllegalStateException("a server has one kind of handler: " + handlerSetter + "(...) is set already, so "
                        + setter + "(...) cannot be set too");
            }
            handlerSetter = setter;
        }

        /**
         * Drives each connection with {@code handler} instead of answering requests: every message
         * is handed to it as it arrives, and anyone may {@link Connection#send} at any time.
         *
         * @throws IllegalStateException if another kind of handler is set already
         */
        public Builder connectionHandler(ConnectionHandler handler) {
            Objects.requireNonNull(handler, "handler");
            settingHandler("connectionHandler");
            this.connectionHandler = handler;
            return this;
        }

        /**
         * Serves each connection with blocking streams on a thread of its own, instead of
         * answering requests on the server thread: see {@link StreamHandler}. Each connection
         * gets a platform daemon thread of its own.
         *
         * @throws IllegalStateException if another kind of handler is set already
         */
        public Builder streamHandler(StreamHandler handler) {
            Objects.requireNonNull(handler, "handler");
            settingHandler("streamHandler");
            this.streamHandler = handler;
            this.streamThreads = null;
            return this;
        }

        /**
         * {@link #streamHandler(StreamHandler)}, with each connection's thread made by
         * {@code threads} rather than a platform thread per connection: on Java 21 and later,
         * {@code Thread.ofVirtual().factory()} serves thousands of stream connections. The factory
         * is asked on the server thread, once per connection, for a new thread that it has not
         * started; its name, daemon status and the like are the factory's to choose. If it throws
         * or returns {@code null}, that connection is closed and the failure logged; the server
         * goes on. A platform thread that is not a daemon keeps the JVM alive while its handler runs.
         *
         * @throws IllegalStateException if another kind of handler is set already
         */
        public Builder streamHandler(StreamHandler handler, ThreadFactory threads) {
            Objects.requireNonNull(handler, "handler");
            Objects.requireNonNull(threads, "threads");
            settingHandler("streamHandler");
            this.streamHandler = handler;
            this.streamThreads = threads;
            return this;
        }

        /**
         * How many bytes may wait to be written to one connection (default 1 MiB) before
         * {@link Connection#send} refuses more with a {@link io.pipekit.core.SendQueueFullException}.
         * One message is always accepted into an empty queue, however long. The bound is what keeps
         * a client that never reads from costing the server more memory than that. The same on
         * both transports; for a stream handler it also bounds what its input holds unread.
         *
         * @throws IllegalArgumentException if {@code bytes} is not positive
         */
        public Builder maxQueuedBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxQueuedBytes must be positive, got " + bytes);
            }
            this.maxQueuedBytes = bytes;
            return this;
        }

        /**
         * Answers each request later, from any thread, while the server serves other clients.
         * Message-type pipes only: on a {@link PipeType#BYTE byte-type} pipe {@link #start()}
         * refuses it.
         *
         * @throws IllegalStateException if another kind of handler is set already
         */
        public Builder asyncHandler(AsyncRequestHandler handler) {
            Objects.requireNonNull(handler, "handler");
            settingHandler("asyncHandler");
            this.asyncHandler = handler;
            return this;
        }

        /**
         * The most instances, connected or listening, at once: 1 to 254 caps them; 255, the
         * default ({@code PIPE_UNLIMITED_INSTANCES}), means as many as the system's resources allow.
         * A client that finds every instance taken retries until its connect timeout, then gets
         * {@link io.pipekit.core.PipeBusyException}, on both transports: on Unix the server stops
         * listening while it serves that many clients. One exception on Unix: clients that were
         * already queued in the socket's backlog when the limit was reached are accepted, not told
         * busy, and wait to be served until an instance is free; only their receive timeout bounds
         * that wait (their connect has completed).
         *
         * @throws IllegalArgumentException if {@code maxInstances} is not 1..255
         */
        public Builder maxInstances(int maxInstances) {
            if (maxInstances < 1 || maxInstances > ServerConfig.UNLIMITED_INSTANCES) {
                throw new IllegalArgumentException("maxInstances must be 1.." + ServerConfig.UNLIMITED_INSTANCES + ", got " + maxInstances);
            }
            this.maxInstances = maxInstances;
            return this;
        }

        /**
         * How many instances listen for clients at once (default 4, or {@link #maxInstances} if
         * that is fewer: the default yields to a cap set below it). On Windows: how many instances
         * wait in {@code ConnectNamedPipe} at once. The sample has one, so a burst of clients finds
         * every instance busy between two connects; more listening instances absorb the burst. On
         * Unix sockets it has no effect: a socket has no instances to wait in, and listens with the
         * longest backlog the system allows ({@code somaxconn}), whatever this says. On both, a
         * value set above {@code maxInstances} fails {@link #start()}.
         *
         * @throws IllegalArgumentException if {@code listeningInstances} is not 1..255
         */
        public Builder listeningInstances(int listeningInstances) {
            if (listeningInstances < 1 || listeningInstances > ServerConfig.UNLIMITED_INSTANCES) {
                throw new IllegalArgumentException("listeningInstances must be 1.." + ServerConfig.UNLIMITED_INSTANCES
                        + " (and at most maxInstances), got " + listeningInstances);
            }
            this.listeningInstances = listeningInstances;
            return this;
        }

        /**
         * The input side's buffer, in bytes (default 4096). On Windows: the pipe's
         * {@code nInBufferSize} (which Windows treats as advisory), and the server's read chunk
         * (a longer message takes several reads). On Unix sockets: the server's read chunk when
         * above 64 KiB (the chunk is never smaller); the socket's kernel buffers are the system's.
         *
         * @throws IllegalArgumentException if {@code bytes} is not positive
         */
        public Builder inBufferSize(int bytes) {
            this.inBufferSize = positive("inBufferSize", bytes);
            return this;
        }

        /**
         * The output side's buffer, in bytes (default 4096). On Windows: the pipe's
         * {@code nOutBufferSize} (advisory), which bounds what a client that does not read can be
         * sent before a write waits, and the starting size of the server's write buffer. On Unix
         * sockets: the size of each connection's write buffer in the server, at least a frame
         * header; the socket's kernel buffers are the system's.
         *
         * @throws IllegalArgumentException if {@code bytes} is not positive
         */
        public Builder outBufferSize(int bytes) {
            this.outBufferSize = positive("outBufferSize", bytes);
            return this;
        }

        /**
         * How long a client's {@code WaitNamedPipe(name, NMPWAIT_USE_DEFAULT_WAIT)} waits for an
         * instance to listen (the pipe's {@code nDefaultTimeOut}; default 5 s, as in the sample). It
         * bounds no I/O of this server. Taken in whole milliseconds, a fraction dropped; zero means
         * Windows' own default, 50 ms. Windows named pipes only: a Unix socket has no such wait, and
         * this has no effect there.
         *
         * @throws IllegalArgumentException if {@code wait} is negative or longer than
         *     {@code Integer.MAX_VALUE} milliseconds (about 24.8 days)
         */
        public Builder defaultClientWait(Duration wait) {
            Objects.requireNonNull(wait, "defaultClientWait");
            if (wait.isNegative() || wait.compareTo(MAX_CLIENT_WAIT) > 0) {
                throw new IllegalArgumentException("defaultClientWait must be 0.." + MAX_CLIENT_WAIT.toMillis() + " ms, got " + wait);
            }
            this.defaultClientWait = wait;
            return this;
        }

        /**
         * The pipe's security descriptor in SDDL, such as {@code D:P(A;;FA;;;WD)}. Default: full
         * control for the current user and SYSTEM only. Give the owner {@code FA} (or at least
         * {@code FILE_CREATE_PIPE_INSTANCE}), or the server cannot create its further instances.
         * Windows named pipes only: on Unix sockets it is not applied, with a warning, and the
         * socket stays owner-only, which is at least as strict (see docs/security.md). The SDDL
         * itself is parsed when {@link #start()} creates the pipe, which fails if Windows refuses it.
         *
         * @throws IllegalArgumentException if {@code sddl} is empty or blank
         */
        public Builder securityDescriptor(String sddl) {
            Objects.requireNonNull(sddl, "securityDescriptor");
            if (sddl.isBlank()) {
                throw new IllegalArgumentException("securityDescriptor is empty: give an SDDL string, or leave it unset for the default");
            }
            this.securityDescriptor = sddl;
            return this;
        }

        /**
         * The largest message accepted from a client (default 16 MiB), on both transports; a longer
         * one costs its client the connection.
         *
         * @throws IllegalArgumentException if {@code bytes} is not positive
         */
        public Builder maxMessageSize(int bytes) {
            this.maxMessageSize = positive("maxMessageSize", bytes);
            return this;
        }

        /**
         * The transport to serve on (default: {@link Transport#forThisOs()}, named pipes on
         * Windows and Unix domain sockets elsewhere). Each transport runs on its own kind of
         * operating system only: named pipes need Windows, and pipekit's Unix domain sockets need
         * Linux or macOS (their server asks the kernel for the peer's credentials and sets POSIX
         * permissions, which Windows' {@code AF_UNIX} does not offer).
         *
         * @throws IllegalArgumentException for {@link Transport#WINDOWS_NAMED_PIPES} off Windows, or
         *     {@link Transport#UNIX_DOMAIN_SOCKETS} on Windows
         */
        public Builder transport(Transport transport) {
            this.transport = Transports.checkedForThisOs(Objects.requireNonNull(transport, "transport"));
            return this;
        }

        /**
         * Whether the pipe carries messages ({@link PipeType#MESSAGE}, the default, as in the
         * sample) or a stream of bytes ({@link PipeType#BYTE}). On a byte-type pipe, handlers get
         * each read's bytes as they come, with no message boundary: a connection handler sees each
         * such chunk, a stream handler reads them as one stream, and everything sent goes out as
         * bytes. A {@link #handler} or {@link #asyncHandler}, which promise the whole request
         * message, has none to get there: {@link #start()} refuses them on a byte-type pipe; use
         * {@link FramedRequests} for length-prefixed requests, or a {@link #streamHandler}. On Unix
         * domain sockets a byte-type pipe is the socket's raw stream, with no framing.
         */
        public Builder pipeType(PipeType pipeType) {
            this.pipeType = Objects.requireNonNull(pipeType, "pipeType");
            return this;
        }

        /**
         * Who may be served, decided from each client's identity when it connects, before any of
         * its messages is read (default: everyone the pipe's access rules let in). A refused
         * client is disconnected and logged; the server goes on.
         */
        public Builder admission(Admission admission) {
            this.admission = Objects.requireNonNull(admission, "admission");
            return this;
        }

        private static int positive(String option, int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException(option + " must be positive, got " + bytes);
            }
            return bytes;
        }

        /**
         * Starts serving on a new thread and returns once the pipe is served, or throws.
         *
         * @throws PipeNameInUseException if another server already serves the name
         * @throws PipeException if the pipe cannot be served otherwise
         * @throws PipeInterruptedException if the calling thread is interrupted before the pipe is
         *     served (or was already): the server is closed, its thread has ended, the name is
         *     free again, and the thread's interrupt flag stays set
         * @throws IllegalArgumentException if the configuration is invalid
         * @throws IllegalStateException if no handler was set, or a {@link #handler} or
         *     {@link #asyncHandler} was set for a {@link PipeType#BYTE byte-type} pipe, which has no
         *     whole request to give them
         */
        public PipeServer start() throws PipeException {
            if (handler == null && asyncHandler == null && connectionHandler == null && streamHandler == null) {
                throw new IllegalStateException("set a handler, an asyncHandler, a connectionHandler or a streamHandler before start()");
            }
            if (pipeType == PipeType.BYTE && (handler != null || asyncHandler != null)) {
                // A stream has no message boundaries: a request handler would get whatever one read
                // delivered, not the whole request it promises (the trap the client's receive had).
                throw new IllegalStateException(handlerSetter + "(...) answers whole request messages, and a byte-type pipe has none: "
                        + "use connectionHandler(FramedRequests.answering(framing, handler)) for length-prefixed requests, "
                        + "or streamHandler(...) to read the bytes as a stream");
            }
            int listening = listeningInstances != null ? listeningInstances : Math.min(DEFAULT_LISTENING_INSTANCES, maxInstances);
            if (listening > maxInstances) {
                throw new IllegalArgumentException("listeningInstances (" + listening + ") cannot exceed maxInstances (" + maxInstances
                        + "): lower listeningInstances or raise maxInstances");
            }
            ServerConfig config = new ServerConfig(name, maxInstances, listening, inBufferSize, outBufferSize,
                    defaultClientWait, securityDescriptor, maxMessageSize, pipeType);
            Answerer[] answers = new Answerer[1];
            ServerLoop[] loops = new ServerLoop[1];
            Set<Connection> live = ConcurrentHashMap.newKeySet();
            AtomicBoolean closing = new AtomicBoolean();
            ConnectionHandler driver = streamHandler != null ? new StreamBridge(streamHandler, name.name(), maxQueuedBytes, streamThreads)
                    : connectionHandler;
            long queueBound = maxQueuedBytes;
            Admission admits = admission;
            String shown = shownName(transport, name);
            ServerLoop loop = newLoop(transport, config, connection -> {
                if (!admitted(admits, connection, shown)) {
                    connection.close();
                    return REFUSED;
                }
                if (driver != null) {
                    DrivenConnection driven = new DrivenConnection(connection, loops[0], driver, queueBound, closing::get,
                            live::add, live::remove);
                    driven.start();
                    return driven;
                }
                Session session = new Session(connection, answers[0]);
                session.start();
                return session;
            });
            loops[0] = loop;
            answers[0] = handler != null ? Answerer.of(handler) : asyncHandler != null ? Answerer.of(asyncHandler, loop) : null;

            CompletableFuture<Void> opened = new CompletableFuture<>();
            PipeServer[] server = new PipeServer[1];
            Thread thread = new Thread(() -> serve(loop, opened, server), "pipekit-server " + name.name());
            if (daemonThread) {
                thread.setDaemon(true);
            }
            server[0] = new PipeServer(name, loop, thread, live, closing);
            thread.start();
            InterruptedException interrupted = null;
            try {
                opened.get();
            } catch (InterruptedException e) {
                interrupted = e;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof PipeException pipe) {
                    throw pipe;
                }
                throw new PipeIoException("start " + shown, PipeException.NO_CODE, String.valueOf(e.getCause()), e.getCause());
            }
            // An interrupt that came as the opening ended is an interrupt too: a caller that was
            // interrupted gets no server, whichever won the race.
            if (interrupted != null || Thread.currentThread().isInterrupted()) {
                // The loop's stop is sticky: heard whether the loop has opened yet or not, so close()
                // returns once the server thread has ended and the name is free.
                server[0].close();
                Thread.currentThread().interrupt();
                throw new PipeInterruptedException("start " + shown, PipeException.NO_CODE,
                        "interrupted; the server was closed before it served", interrupted != null ? interrupted : new InterruptedException());
            }
            return server[0];
        }

        /** The pipe as messages show it: its path on Windows; on Unix its name, or its socket path as given. */
        private static String shownName(Transport transport, PipeName name) {
            return transport == Transport.WINDOWS_NAMED_PIPES ? name.path() : name.name();
        }

        /** Asks the admission; a refusal, or a failure of the admission itself, is logged. */
        private static boolean admitted(Admission admission, ServerConnection connection, String name) {
            return io.pipekit.server.internal.AdmissionCheck.admits(admission, connection.clientIdentity(), connection.id(), name);
        }

        private static void serve(ServerLoop loop, CompletableFuture<Void> opened, PipeServer[] server) {
            try {
                try {
                    loop.open();
                } catch (Throwable e) {
                    opened.completeExceptionally(e);
                    return;
                }
                opened.complete(null);
                loop.run();
            } catch (Throwable e) {
                LOG.log(System.Logger.Level.ERROR, "the server loop failed", e);
            } finally {
                server[0].terminated.countDown();
            }
        }

        private static ServerLoop newLoop(Transport transport, ServerConfig config, ServerLoop.Acceptor acceptor) {
            return switch (transport) {
                case WINDOWS_NAMED_PIPES -> new CompletionRoutineLoop(config, acceptor);
                case UNIX_DOMAIN_SOCKETS -> new SelectorLoop(config, acceptor);
            };
        }
    }
}
