package io.pipekit.server;

import io.pipekit.core.MessageCodec;
import io.pipekit.core.PeerIdentity;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;

/**
 * One connected client of a server with a {@link ConnectionHandler} or a {@link StreamHandler}:
 * a connection you drive. The server reads it continuously, handing each whole message to the
 * handler, while you send to it whenever you like, from any thread.
 *
 * <p>pipekit implements this interface and hands it to your handlers; it is not meant to be
 * implemented outside pipekit (to test a request handler, {@link ClientInfo#of(long,
 * io.pipekit.core.PeerIdentity)} makes a client by hand). Later releases may add methods to it.
 */
public interface Connection {

    /** A number unique among this server's connections, for logs. */
    long id();

    /** Who the client is, as the operating system vouches for it, read once when it connected. */
    PeerIdentity peer();

    /**
     * Runs {@code work} on the calling thread in the client's security context, and reverts
     * afterwards on every path, whether {@code work} returns or throws. On Windows this is
     * impersonation ({@code ImpersonateNamedPipeClient}'s token, put on this thread):
     * <ul>
     *   <li>A client that connected with pipekit's default ({@code SECURITY_IDENTIFICATION})
     *       lets {@code work} see who it is (its token), not act as it: opening a file as the
     *       client fails with {@code ERROR_BAD_IMPERSONATION_LEVEL}. The client must allow
     *       impersonation for that ({@code PipeClient.Builder.allowImpersonation}).</li>
     *   <li>It must not span an asynchronous boundary. The context belongs to this thread:
     *       work handed to an executor, or continued in a {@code CompletableFuture} stage, runs as
     *       the server, and code that assumed otherwise fails open or closed by accident. Do the
     *       work that needs the client's rights inside {@code work}, on this thread.</li>
     *   <li>Threads: it may run on any thread, the server's own (in a handler) included, and on
     *       several at once; the impersonation is on the calling thread only, and what that
     *       thread impersonated before (nothing, or an outer {@code runAsClient}) is put back
     *       afterwards. On the server thread it holds up every other client while it runs, as
     *       any handler does.</li>
     *   <li>The token's life: a handle to the client's token is opened once, when it connects
     *       (on the server thread, while impersonating it with {@code ImpersonateNamedPipeClient},
     *       before any of its messages is read), and kept until its connection is
     *       closed, by either side; then it is closed, and a later {@code runAsClient} throws
     *       {@link IllegalStateException}. A {@code runAsClient} already running when the
     *       connection closes keeps its thread's impersonation until {@code work} returns: the
     *       thread holds its own reference to the token.</li>
     * </ul>
     *
     * <p>On Unix domain sockets there is no impersonation: it throws
     * {@link UnsupportedOperationException} without running {@code work}. Decide from
     * {@link #peer()} (the client's uid) instead.
     *
     * @throws UnsupportedOperationException on Unix sockets, which have no impersonation
     * @throws IllegalStateException if the client's token could not be read when it connected, or
     *     the connection is closed
     * @throws Exception what {@code work} throws
     */
    <T> T runAsClient(Callable<T> work) throws Exception;

    /**
     * Whether {@link #runAsClient} can act as this client: true on Windows named pipes, false on
     * Unix domain sockets, which have no impersonation (there it throws
     * {@link UnsupportedOperationException}). True does not promise success: the client's token
     * may have been unreadable when it connected, or the connection closed since, and then
     * {@code runAsClient} throws {@link IllegalStateException}.
     */
    boolean canRunAsClient();

    /**
     * Sends one whole message, from any thread, at any time; never blocks. Messages go out in the
     * order they were sent. The stage completes once the message is written to the pipe, or fails:
     * with a {@link io.pipekit.core.SendQueueFullException} at once when the connection's queue
     * is at its bound (a client that does not read), with a
     * {@link io.pipekit.core.PipeClosedException} or {@link io.pipekit.core.PeerClosedException}
     * when the connection closes first.
     */
    CompletionStage<Void> send(byte[] message);

    /**
     * {@link #send(byte[])} of {@code codec}'s encoding of {@code value}: the same order, bound and
     * failures.
     *
     * @throws IllegalArgumentException at once, sending nothing, if {@code codec} cannot encode
     *     {@code value}
     */
    default <T> CompletionStage<Void> send(MessageCodec<T> codec, T value) {
        return send(codec.encode(value));
    }

    /** Closes the connection, from any thread; messages not yet written fail. Idempotent. */
    void close();

    /** Whether the connection is still open, as far as this thread can see. */
    boolean isOpen();
}
