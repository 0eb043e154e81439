package io.pipekit.core;

/**
 * A server could not serve the name because another server already serves it: on Windows the
 * first instance was refused ({@code ERROR_ACCESS_DENIED} for {@code FILE_FLAG_FIRST_PIPE_INSTANCE},
 * or {@code ERROR_PIPE_BUSY}); on Unix another process holds the socket's lock, or a server
 * accepts on the socket. Unlike
 * {@link PipeAccessDeniedException}, retrying later (or choosing another name) can help.
 */
public final class PipeNameInUseException extends PipeException {
    private static final long serialVersionUID = 1L;

    public PipeNameInUseException(String operation, int code, String explanation) {
        super(operation, code, explanation);
    }

    public PipeNameInUseException(String operation, int code, String explanation, Throwable cause) {
        super(operation, code, explanation, cause);
    }
}
