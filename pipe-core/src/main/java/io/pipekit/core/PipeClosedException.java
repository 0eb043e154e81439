package io.pipekit.core;

/**
 * This side closed the connection: the call came after {@code close()}, or {@code close()} from
 * another thread ended it while it waited. A server's {@code start()} throws it when the calling
 * thread is interrupted: the server it was starting is closed, and the name is free again.
 */
public final class PipeClosedException extends PipeException {
    private static final long serialVersionUID = 1L;

    public PipeClosedException(String operation, int code, String explanation) {
        super(operation, code, explanation);
    }

    public PipeClosedException(String operation, int code, String explanation, Throwable cause) {
        super(operation, code, explanation, cause);
    }
}
