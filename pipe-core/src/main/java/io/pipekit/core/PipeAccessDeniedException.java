package io.pipekit.core;

/**
 * Access to the pipe is denied: the caller lacks the rights (Windows' {@code ERROR_ACCESS_DENIED},
 * a socket of another user on Unix, a write on a client opened read-only), or, for a Unix server,
 * something that is not a socket sits at the socket path. A server whose name another server
 * already serves gets {@link PipeNameInUseException} instead.
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
