package io.pipekit.core;

/**
 * The pipe exists but every instance stayed busy until the connect deadline: Windows'
 * {@code ERROR_PIPE_BUSY}, or {@code ERROR_SEM_TIMEOUT} from {@code WaitNamedPipe}.
 */
public final class PipeBusyException extends PipeException {
    private static final long serialVersionUID = 1L;

    public PipeBusyException(String operation, int code, String explanation) {
        super(operation, code, explanation);
    }

    public PipeBusyException(String operation, int code, String explanation, Throwable cause) {
        super(operation, code, explanation, cause);
    }
}
