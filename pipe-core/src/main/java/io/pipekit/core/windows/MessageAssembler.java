package io.pipekit.core.windows;

import io.pipekit.core.PipeException;
import java.util.Arrays;
import io.pipekit.core.MessageTooLargeException;

/**
 * Puts a message back together from the chunks that message-mode reads deliver when the
 * message is longer than the read buffer (each chunk but the last ends in
 * {@code ERROR_MORE_DATA}). The documented sample ignores that case and would split the
 * message; pipekit never does. A message longer than the limit is refused before it can
 * exhaust the heap.
 *
 * <p>Its heap array is kept between messages, so it grows to the largest message seen and
 * then allocates only the returned copy.
 */
public final class MessageAssembler {
    private final int maxMessageSize;
    private byte[] bytes = new byte[256];
    private int length;

    public MessageAssembler(int maxMessageSize) {
        this.maxMessageSize = maxMessageSize;
    }

    /** Appends one chunk read from the native buffer. */
    public void append(NativeBuffer buffer, int count) throws PipeException {
        ensureRoom(count);
        buffer.get(bytes, length, count);
        length += count;
    }

    /**
     * The whole message, given its last chunk. A message that arrived in one read (the common
     * case) is copied from native memory straight into its own array, without passing through
     * the assembler's.
     */
    public byte[] finish(NativeBuffer buffer, int count) throws PipeException {
        if (length > 0) {
            append(buffer, count);
            return take();
        }
        ensureRoom(count);
        byte[] message = new byte[count];
        buffer.get(message, 0, count);
        return message;
    }

    private void ensureRoom(int count) throws PipeException {
        if ((long) length + count > maxMessageSize) {
            int total = length + count;
            length = 0;
            throw new MessageTooLargeException("read message", PipeException.NO_CODE,
                    "message of more than " + maxMessageSize + " bytes refused (at least " + total + " arrived)");
        }
        if (length + count > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(length + count, (int) Math.min(maxMessageSize, 2L * bytes.length)));
        }
    }

    /** Whether part of a message has arrived and the rest is still to come. */
    public boolean inProgress() {
        return length > 0;
    }

    /** The whole message, and a fresh start for the next one. */
    public byte[] take() {
        byte[] message = Arrays.copyOf(bytes, length);
        length = 0;
        return message;
    }
}
