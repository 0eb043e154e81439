package io.pipekit.core;

/**
 * Access to the pipe is denied: the caller lacks the rights, or, for a server, another server
 * already serves the name (Windows' {@code ERROR_ACCESS_DENIED}).
 */
public final class PipeAccessDeniedException extends PipeException {
    private static final long serialVersionUID = 1L;

    public PipeAccessDeniedException(String operation, int code, String explanation) {
        super(operation, code, explanation);
    }

    public PipeAccessDeniedException(String operation, int code, String explanation, Throwable cause) {
        super(operation, code, explanation, cause);
    }
}
