package io.pipekit.core;

/**
 * A message is longer than the limit that applies to it.
 *
 * <p>Receiving: a message over the receiving side's {@code maxMessageSize} is refused before
 * being read whole. A server closes the connection it came on; a client drops it (the rest of it
 * is read and discarded as it arrives) and its next receive returns the message after it.
 * {@link LengthPrefixFraming}'s readers refuse a prefix over their maximum before allocating
 * anything; the stream is then inside that frame, and its owner should close it.
 *
 * <p>Sending: {@link LengthPrefixFraming#frame} and {@link LengthPrefixFraming#write} refuse a
 * message over their maximum, or too long for the prefix, before a byte of it is written; nothing
 * is closed, and the stream stays usable.
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
