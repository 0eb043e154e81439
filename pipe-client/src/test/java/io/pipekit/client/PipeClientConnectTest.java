package io.pipekit.client;

import io.pipekit.core.Win32Errors;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Native;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinNT.HANDLE;
import com.sun.jna.ptr.IntByReference;
import io.pipekit.core.PipeException;
import io.pipekit.testing.WindowsOnly;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import io.pipekit.core.NoSuchPipeException;
import io.pipekit.core.PipeBusyException;

/**
 * How the client connects: busy-retry until its timeout, distinct errors for an absent and a
 * busy pipe, and message read mode even for a read-only client. The server ends here are made
 * with plain {@code jna-platform} calls, so these tests depend on no pipekit server.
 */
@WindowsOnly
class PipeClientConnectTest {
    private static final Kernel32 K = Kernel32.INSTANCE;
    private final String name = "pipekit-client-test-" + UUID.randomUUID();
    private final List<HANDLE> handles = new ArrayList<>();

    @AfterEach
    void closeHandles() {
        handles.forEach(K::CloseHandle);
    }

    private HANDLE rawServerEnd(int access, int maxInstances) {
        HANDLE pipe = K.CreateNamedPipe("\\\\.\\pipe\\" + name, access,
                Kernel32.PIPE_TYPE_MESSAGE | Kernel32.PIPE_READMODE_MESSAGE | Kernel32.PIPE_WAIT, maxInstances, 4096, 4096, 0, null);
        assertNotEquals(Kernel32.INVALID_HANDLE_VALUE, pipe, "CreateNamedPipe failed with " + Native.getLastError());
        handles.add(pipe);
        return pipe;
    }

    @Test
    void absentPipeIsReportedAsNoSuchPipeAfterRetryingUntilTheTimeout() {
        long started = System.nanoTime();

        PipeException e = assertThrows(NoSuchPipeException.class,
                () -> PipeClient.builder(name).connectTimeout(Duration.ofMillis(300)).connect());

        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
        assertEquals(Win32Errors.ERROR_FILE_NOT_FOUND, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains("no such pipe"), e.getMessage());
        assertTrue(elapsedMillis >= 300, "gave up after " + elapsedMillis + " ms, before its timeout");
    }

    @Test
    void pipeWhoseOnlyInstanceIsTakenTimesOutAsBusy() throws Exception {
        rawServerEnd(Kernel32.PIPE_ACCESS_DUPLEX, 1);
        try (PipeClient first = PipeClient.builder(name).connectTimeout(Duration.ofSeconds(5)).connect()) {
            long started = System.nanoTime();

            PipeException e = assertThrows(PipeBusyException.class,
                    () -> PipeClient.builder(name).connectTimeout(Duration.ofMillis(500)).connect());

            long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
            assertEquals(Win32Errors.ERROR_SEM_TIMEOUT, e.code(), e.getMessage());
            assertTrue(e.getMessage().contains("timed out"), e.getMessage());
            assertTrue(elapsedMillis >= 400, "gave up after " + elapsedMillis + " ms");
        }
    }

    @Test
    void zeroTimeoutMakesOneAttempt() {
        long started = System.nanoTime();

        PipeException e = assertThrows(NoSuchPipeException.class, () -> PipeClient.builder(name).connectTimeout(Duration.ZERO).connect());

        assertEquals(Win32Errors.ERROR_FILE_NOT_FOUND, e.code());
        assertTrue((System.nanoTime() - started) / 1_000_000 < 1000, "one attempt should not wait");
    }

    @Test
    void readOnlyClientReceivesWholeMessagesInMessageReadMode() throws Exception {
        HANDLE server = rawServerEnd(Kernel32.PIPE_ACCESS_OUTBOUND, 1);
        try (PipeClient client = PipeClient.builder(name).readOnly().connect()) {
            byte[] first = "first message".getBytes(UTF_8);
            byte[] second = "second".getBytes(UTF_8);
            IntByReference written = new IntByReference();
            assertTrue(K.WriteFile(server, first, first.length, written, null), "WriteFile " + Native.getLastError());
            assertTrue(K.WriteFile(server, second, second.length, written, null), "WriteFile " + Native.getLastError());

            assertArrayEquals(first, client.receive());
            assertArrayEquals(second, client.receive());
        }
    }

    @Test
    void remotePipeNamesAreRefusedBeforeAnyConnectAttempt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PipeClient.builder("\\\\otherhost\\pipe\\" + name));
        assertTrue(e.getMessage().contains("not a local pipe"), e.getMessage());
    }
}
