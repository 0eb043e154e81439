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
     * @throws IllegalArgumentException if the bytes are not a valid message for this codec
     */
    T decode(byte[] message);
}
