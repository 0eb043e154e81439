package io.pipekit.core;

/**
 * A message is longer than the receiving side's {@code maxMessageSize}. It was refused before being
 * read whole. A server closes the connection it came on; a client drops it (the rest of it is read
 * and discarded as it arrives) and its next receive returns the message after it.
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
