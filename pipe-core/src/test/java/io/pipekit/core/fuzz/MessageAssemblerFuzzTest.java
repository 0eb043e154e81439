package io.pipekit.core.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.pipekit.core.MessageTooLargeException;
import io.pipekit.core.windows.MessageAssembler;
import io.pipekit.core.windows.NativeChunks;
import java.io.ByteArrayOutputStream;

/**
 * Fuzzes message reassembly on Windows, where a message longer than the read buffer arrives in
 * chunks (each but the last ending in {@code ERROR_MORE_DATA}) whose sizes the peer controls:
 * messages of any chunking come out whole, a message over the limit is refused with the typed
 * error as soon as its chunks pass the limit, and the assembler then starts afresh, so the next
 * message is unharmed.
 */
class MessageAssemblerFuzzTest {

    @FuzzTest
    void chunksOfAnySizeGiveWholeMessagesOrTheTypedErrorAndAFreshStart(FuzzedDataProvider data) throws Exception {
        int max = data.consumeInt(0, 2048);
        MessageAssembler assembler = new MessageAssembler(max);
        int messages = data.consumeInt(1, 4);
        for (int m = 0; m < messages && data.remainingBytes() > 0; m++) {
            int chunks = data.consumeInt(0, 6);
            ByteArrayOutputStream whole = new ByteArrayOutputStream();
            boolean refused = false;
            for (int c = 0; c < chunks; c++) {
                byte[] chunk = data.consumeBytes(data.consumeInt(0, 700));
                int offset = data.consumeInt(0, chunk.length);
                int count = chunk.length - offset;
                whole.write(chunk, offset, count);
                try {
                    NativeChunks.append(assembler, chunk, offset, count);
                } catch (MessageTooLargeException e) {
                    refused = true;
                    break;
                }
            }
            assertEquals(whole.size() > max, refused, whole.size() + " bytes against a limit of " + max);
            if (refused) {
                assertFalse(assembler.inProgress(), "a refused message leaves nothing behind for the next");
            } else {
                assertArrayEquals(whole.toByteArray(), assembler.take());
                assertFalse(assembler.inProgress());
            }
        }
    }
}
