package io.pipekit.core;

/**
 * A whole message arrived but is not a valid message for the codec that was to decode it
 * ({@link MessageCodec#decode} threw): the bytes were read and dropped, and the connection stays
 * usable. The cause is the codec's exception.
 */
public final class InvalidMessageException extends PipeException {
    private static final long serialVersionUID = 1L;

    public InvalidMessageException(String operation, int code, String explanation) {
        super(operation, code, explanation);
    }

    public InvalidMessageException(String operation, int code, String explanation, Throwable cause) {
        super(operation, code, explanation, cause);
    }
}
