package io.pipekit.core;

/**
 * <em>This</em> side closed the connection (or the server): the call came after {@code close()},
 * or {@code close()} from another thread ended it while it waited. Its counterpart is
 * {@link PeerClosedException}: the <em>other</em> side closed it or went away. An interrupt that
 * closes the connection is a {@link PipeInterruptedException} for the interrupted thread; a call
 * of another thread that finds it closed then gets this one.
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
