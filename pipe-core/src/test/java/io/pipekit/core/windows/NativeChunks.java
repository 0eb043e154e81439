package io.pipekit.core.windows;

import io.pipekit.core.PipeException;

/**
 * Feeds a {@link MessageAssembler} a chunk from a Java array the way a read does, through
 * native memory, so that its tests need no test-only entry point in the production class.
 */
public final class NativeChunks {
    private NativeChunks() {
    }

    /** {@link MessageAssembler#append(NativeBuffer, int)} of {@code count} bytes of {@code chunk} from {@code offset}. */
    public static void append(MessageAssembler assembler, byte[] chunk, int offset, int count) throws PipeException {
        NativeBuffer buffer = new NativeBuffer(Math.max(1, count));
        try {
            buffer.put(chunk, offset, count);
            assembler.append(buffer, count);
        } finally {
            buffer.free();
        }
    }
}
