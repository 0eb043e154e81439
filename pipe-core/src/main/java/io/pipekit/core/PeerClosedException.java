package io.pipekit.core;

/**
 * The <em>other</em> side closed the connection or went away (its process ended, it crashed);
 * its counterpart is {@link PipeClosedException}, for a connection <em>this</em> side closed.
 * Windows says {@code ERROR_BROKEN_PIPE}, {@code ERROR_NO_DATA}, {@code ERROR_PIPE_NOT_CONNECTED}
 * or, while a client is still connecting, {@code ERROR_BAD_PIPE}; Unix sockets say end of stream
 * or a reset.
 *
 * <p>A client that a server's {@code Admission} refuses sees this too, just as if the server had
 * gone away: the server disconnects it without a word. On Windows a named pipe has no way to say
 * more without writing into the client's own protocol, and pipekit keeps both transports alike;
 * the server logs each refusal (a WARNING naming the client), and that log is where to look.
 */
public final class PeerClosedException extends PipeException {
    private static final long serialVersionUID = 1L;

    public PeerClosedException(String operation, int code, String explanation) {
        super(operation, code, explanation);
    }

    public PeerClosedException(String operation, int code, String explanation, Throwable cause) {
        super(operation, code, explanation, cause);
    }
}
