package io.pipekit.core.windows;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.core.PipeException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MessageAssemblerTest {

    @Test
    void chunksReassembleIntoOneMessageInOrder() throws PipeException {
        MessageAssembler assembler = new MessageAssembler(1000);

        NativeChunks.append(assembler, new byte[] {1, 2, 3}, 0, 3);
        NativeChunks.append(assembler, new byte[] {4, 5}, 0, 2);
        NativeChunks.append(assembler, new byte[] {6}, 0, 1);

        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6}, assembler.take());
    }

    @Test
    void appendTakesOnlyTheGivenRangeOfTheChunk() throws PipeException {
        MessageAssembler assembler = new MessageAssembler(1000);

        NativeChunks.append(assembler, new byte[] {9, 9, 1, 2, 3, 9}, 2, 3);

        assertArrayEquals(new byte[] {1, 2, 3}, assembler.take());
    }

    @Test
    void takeStartsAFreshMessage() throws PipeException {
        MessageAssembler assembler = new MessageAssembler(1000);
        NativeChunks.append(assembler, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, 0, 8);
        assembler.take();

        NativeChunks.append(assembler, new byte[] {42, 43}, 0, 2);

        assertArrayEquals(new byte[] {42, 43}, assembler.take());
    }

    @Test
    void takeWithNothingAppendedIsAnEmptyMessage() {
        assertArrayEquals(new byte[0], new MessageAssembler(1000).take());
    }

    @Test
    void takenMessageIsNotChangedByLaterAppends() throws PipeException {
        MessageAssembler assembler = new MessageAssembler(1000);
        NativeChunks.append(assembler, new byte[] {1, 2}, 0, 2);
        byte[] first = assembler.take();

        NativeChunks.append(assembler, new byte[] {7, 7}, 0, 2);

        assertArrayEquals(new byte[] {1, 2}, first);
    }

    @Test
    void inProgressWhilePartOfAMessageHasArrived() throws PipeException {
        MessageAssembler assembler = new MessageAssembler(1000);
        assertFalse(assembler.inProgress());

        NativeChunks.append(assembler, new byte[] {1}, 0, 1);
        assertTrue(assembler.inProgress());

        assembler.take();
        assertFalse(assembler.inProgress());
    }

    @Test
    void messageOverTheLimitIsRefusedNamingTheLimit() throws PipeException {
        MessageAssembler assembler = new MessageAssembler(1000);
        NativeChunks.append(assembler, new byte[600], 0, 600);

        PipeException e = assertThrows(PipeException.class, () -> NativeChunks.append(assembler, new byte[401], 0, 401));

        assertTrue(e.getMessage().contains("more than 1000 bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("1001"), e.getMessage());
        assertEquals(PipeException.NO_CODE, e.code());
    }

    @Test
    void singleChunkOverTheLimitIsRefused() {
        MessageAssembler assembler = new MessageAssembler(10);

        PipeException e = assertThrows(PipeException.class, () -> NativeChunks.append(assembler, new byte[11], 0, 11));

        assertTrue(e.getMessage().contains("10"), e.getMessage());
    }

    @Test
    void assemblerIsUsableForANewMessageAfterARefusal() throws PipeException {
        MessageAssembler assembler = new MessageAssembler(10);
        NativeChunks.append(assembler, new byte[] {1, 2, 3, 4, 5, 6}, 0, 6);
        assertThrows(PipeException.class, () -> NativeChunks.append(assembler, new byte[5], 0, 5));

        assertFalse(assembler.inProgress());
        NativeChunks.append(assembler, new byte[] {7, 8, 9}, 0, 3);

        assertArrayEquals(new byte[] {7, 8, 9}, assembler.take());
    }

    @Test
    void messageExactlyAtTheLimitIsAccepted() throws PipeException {
        MessageAssembler assembler = new MessageAssembler(10);
        byte[] message = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};

        NativeChunks.append(assembler, message, 0, 4);
        NativeChunks.append(assembler, message, 4, 6);

        assertArrayEquals(message, assembler.take());
    }

    @Test
    void largeMessageGrowsPastTheInitialArrayIntact() throws PipeException {
        int size = 1 << 20;
        int chunk = 4096;
        byte[] message = new byte[size];
        new Random(20240601L).nextBytes(message);
        MessageAssembler assembler = new MessageAssembler(size);

        for (int offset = 0; offset < size; offset += chunk) {
            NativeChunks.append(assembler, message, offset, chunk);
        }

        assertArrayEquals(message, assembler.take());
    }

    @Test
    void shorterMessageAfterALargeOneHasOnlyItsOwnBytes() throws PipeException {
        MessageAssembler assembler = new MessageAssembler(1 << 16);
        byte[] large = new byte[5000];
        Arrays.fill(large, (byte) 0x55);
        NativeChunks.append(assembler, large, 0, large.length);
        assembler.take();

        NativeChunks.append(assembler, new byte[] {1, 2, 3}, 0, 3);

        assertArrayEquals(new byte[] {1, 2, 3}, assembler.take());
    }

    @Test
    void chunksFromANativeBufferReassembleInOrder() throws PipeException {
        NativeBuffer buffer = new NativeBuffer(8);
        try {
            MessageAssembler assembler = new MessageAssembler(1000);

            buffer.put(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
            assembler.append(buffer, 8);
            buffer.put(new byte[] {9, 10, 11, 99});
            assembler.append(buffer, 3);

            assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, assembler.take());
        } finally {
            buffer.free();
        }
    }

    @Test
    void chunkFromANativeBufferOverTheLimitIsRefused() throws PipeException {
        NativeBuffer buffer = new NativeBuffer(16);
        try {
            MessageAssembler assembler = new MessageAssembler(20);
            buffer.put(new byte[16]);
            assembler.append(buffer, 16);

            PipeException e = assertThrows(PipeException.class, () -> assembler.append(buffer, 16));

            assertTrue(e.getMessage().contains("more than 20 bytes"), e.getMessage());
            assertFalse(assembler.inProgress());
        } finally {
            buffer.free();
        }
    }

    @Test
    void finishingAOneReadMessageCopiesItStraightFromNativeMemory() throws Exception {
        MessageAssembler assembler = new MessageAssembler(1024);
        NativeBuffer buffer = new NativeBuffer(16);
        try {
            buffer.put(new byte[] {1, 2, 3, 4});
            assertArrayEquals(new byte[] {1, 2, 3}, assembler.finish(buffer, 3));

            NativeChunks.append(assembler, new byte[] {9, 9}, 0, 2);
            assertArrayEquals(new byte[] {9, 9, 1, 2}, assembler.finish(buffer, 2), "a last chunk after earlier ones joins them");
            assertArrayEquals(new byte[0], assembler.take(), "and leaves nothing behind");
        } finally {
            buffer.free();
        }
    }

    @Test
    void finishingAOneReadMessageOverTheLimitIsRefused() {
        MessageAssembler assembler = new MessageAssembler(2);
        NativeBuffer buffer = new NativeBuffer(16);
        try {
            org.junit.jupiter.api.Assertions.assertThrows(PipeException.class, () -> assembler.finish(buffer, 3));
        } finally {
            buffer.free();
        }
    }
}
