package io.pipekit.core;

/**
 * A pipe operation failed for a reason no other subtype names: a Win32 error code pipekit does
 * not map ({@link #code()} carries it, {@link #symbolicName()} names it), or an I/O error of the
 * operating system on Unix sockets (the cause carries it).
 */
public final class PipeIoException extends PipeException {
    private static final long serialVersionUID = 1L;

    public PipeIoException(String operation, int code, String explanation) {
        super(operation, code, explanation);
    }

    public PipeIoException(String operation, int code, String explanation, Throwable cause) {
        super(operation, code, explanation, cause);
    }
}
