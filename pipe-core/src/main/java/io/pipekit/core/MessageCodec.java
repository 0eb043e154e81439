package io.pipekit.core;

/**
 * Turns values into whole pipe messages and back. A message is always whole: pipekit never
 * hands a codec part of one.
 *
 * @param <T> the type of the values
 */
public interface MessageCodec<T> {
    /** The message bytes for a value. */
    byte[] encode(T value);

    /**
     * The value a message holds.
     *
     * @throws IllegalArgumentException if the bytes are not a valid message for this codec (any
     *     RuntimeException will do): pipekit's callers turn it into a checked
     *     {@link InvalidMessageException} with it as the cause ({@code PipeClient}'s codec methods,
     *     and {@link LengthPrefixFraming#read(java.io.InputStream, MessageCodec)}; the connection
     *     stays usable); on a server, inside {@code RequestHandler.using}, it is the
     *     handler's own failure, which costs that client its connection
     */
    T decode(byte[] message);
}
