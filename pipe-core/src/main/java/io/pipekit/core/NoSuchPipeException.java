package io.pipekit.core;

/**
 * No pipe of that name exists (or, on Unix, no server accepts on its socket) until the connect
 * deadline: Windows' {@code ERROR_FILE_NOT_FOUND}.
 */
public final class NoSuchPipeException extends PipeException {
    private static final long serialVersionUID = 1L;

    public NoSuchPipeException(String operation, int code, String explanation) {
        super(operation, code, explanation);
    }

    public NoSuchPipeException(String operation, int code, String explanation, Throwable cause) {
        super(operation, code, explanation, cause);
    }
}
