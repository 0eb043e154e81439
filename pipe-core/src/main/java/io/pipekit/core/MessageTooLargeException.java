package io.pipekit.core;

/**
 * A message is longer than the receiving side's {@code maxMessageSize}. It was refused before being
 * read whole, and the connection it came on is closed.
 */
public final class MessageTooLargeException extends PipeException {
    private static final long serialVersionUID = 1L;

    public MessageTooLargeException(String operation, int code, String explanation) {
        super(operation, code, explanation);
    }

    public MessageTooLargeException(String operation, int code, String explanation, Throwable cause) {
        super(operation, code, explanation, cause);
    }
}
