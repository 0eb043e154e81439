package io.pipekit.core;

/**
 * An I/O operation did not finish within its deadline. The connection is still usable: the
 * operation was cancelled, and nothing of a message was lost. The one exception is a send that
 * had sent part of its message when its time ran out: the rest could no longer follow as one
 * message, so the connection is closed, and the exception's message says so.
 */
public final class PipeTimeoutException extends PipeException {
    private static final long serialVersionUID = 1L;

    public PipeTimeoutException(String operation, int code, String explanation) {
        super(operation, code, explanation);
    }

    public PipeTimeoutException(String operation, int code, String explanation, Throwable cause) {
        super(operation, code, explanation, cause);
    }
}
