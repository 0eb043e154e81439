package io.pipekit.core;

/**
 * The other end closed the connection, or went away: Windows' {@code ERROR_BROKEN_PIPE},
 * {@code ERROR_NO_DATA} or {@code ERROR_PIPE_NOT_CONNECTED}; the end of the stream on Unix.
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
