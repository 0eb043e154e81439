package io.pipekit.core;

/**
 * The calling thread was interrupted while it waited in a blocking pipe call, with the semantics of
 * the JDK's own blocking I/O ({@link java.io.InterruptedIOException},
 * {@link java.nio.channels.ClosedByInterruptException}): the thread's interrupt flag is set again
 * when this is thrown, and the connection (or the server being started) is closed, since the
 * interrupted operation may have left it half done. The message says what was closed.
 */
public final class PipeInterruptedException extends PipeException {
    private static final long serialVersionUID = 1L;

    public PipeInterruptedException(String operation, int code, String explanation) {
        super(operation, code, explanation);
    }

    public PipeInterruptedException(String operation, int code, String explanation, Throwable cause) {
        super(operation, code, explanation, cause);
    }
}
