package io.pipekit.core.windows;

import io.pipekit.core.Win32Errors;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinNT.HANDLE;
import com.sun.jna.ptr.IntByReference;
import io.pipekit.testing.Wine;
import io.pipekit.testing.WindowsOnly;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The Windows named-pipe rules pipekit builds on, checked against the OS itself with plain
 * Win32 calls. Where Wine is known to differ (docs/testbed.md, "What Wine cannot tell us"), the
 * test expects the Windows rule on Windows and Wine's behaviour under Wine: it fails the day a
 * Wine release changes, so the workaround in pipekit can be reconsidered.
 */
@WindowsOnly
class Win32PipeRulesTest {
    private static final Kernel32 K = Kernel32.INSTANCE;
    private static final Kernel32Ex KX = Kernel32Ex.INSTANCE;
    private static final int PIPE_TYPE_BYTE = 0;
    private final String path = "\\\\.\\pipe\\pipekit-rules-" + UUID.randomUUID();
    private final List<HANDLE> handles = new ArrayList<>();

    @AfterEach
    void closeHandles() {
        handles.forEach(K::CloseHandle);
    }

    private HANDLE server(int openMode, int pipeMode, int maxInstances) {
        HANDLE pipe = K.CreateNamedPipe(path, openMode, pipeMode, maxInstances, 4096, 4096, 0, null);
        if (!WinBase.INVALID_HANDLE_VALUE.equals(pipe)) {
            handles.add(pipe);
        }
        return pipe;
    }

    private HANDLE client() {
        HANDLE pipe = K.CreateFile(path, Kernel32.GENERIC_READ | Kernel32.GENERIC_WRITE, 0, null, Kernel32.OPEN_EXISTING, 0, null);
        assertNotEquals(WinBase.INVALID_HANDLE_VALUE, pipe, () -> "CreateFile failed with " + Native.getLastError());
        handles.add(pipe);
        return pipe;
    }

    @Test
    void firstPipeInstanceFlagRefusesASecondInstanceOnWindowsButNotUnderWine() {
        int flags = Kernel32.PIPE_ACCESS_DUPLEX | Kernel32Ex.FILE_FLAG_FIRST_PIPE_INSTANCE;
        assertNotEquals(WinBase.INVALID_HANDLE_VALUE, server(flags, Kernel32.PIPE_TYPE_MESSAGE, 255));

        HANDLE second = server(flags, Kernel32.PIPE_TYPE_MESSAGE, 255);

        if (Wine.isRunning()) {
            // Wine ignores the flag (recorded, so that a Wine that honours it is noticed). pipekit's
            // server then counts the instances itself (CompletionRoutineLoop.otherInstancesExist):
            // the rule that defence stands on is checked here, that an instance sees the others.
            // That pipekit passes the flag at all is checked at the call (WindowsPipeServerTest).
            assertNotEquals(WinBase.INVALID_HANDLE_VALUE, second, "Wine " + Wine.version().get() + " now honours the flag");
            IntByReference instances = new IntByReference();
            assertTrue(K.GetNamedPipeHandleState(second, null, instances, null, null, null, 0), () -> "GetNamedPipeHandleState " + Native.getLastError());
            assertEquals(2, instances.getValue(), "the second instance counts the first");
        } else {
            assertEquals(WinBase.INVALID_HANDLE_VALUE, second);
            assertEquals(Win32Errors.ERROR_ACCESS_DENIED, Native.getLastError());
        }
        // Without the flag, a second instance is allowed: the rule refuses only a claim on a name in use.
        assertNotEquals(WinBase.INVALID_HANDLE_VALUE, server(Kernel32.PIPE_ACCESS_DUPLEX, Kernel32.PIPE_TYPE_MESSAGE, 255),
                () -> "a further instance without the flag: " + Native.getLastError());
    }

    @Test
    void byteTypePipeRefusesMessageReadMode() {
        server(Kernel32.PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 1);
        HANDLE client = client();

        boolean set = K.SetNamedPipeHandleState(client, new IntByReference(Kernel32Ex.PIPE_READMODE_MESSAGE), null, null);

        assertFalse(set, "message read mode on a byte-type pipe");
        assertEquals(Win32Errors.ERROR_INVALID_PARAMETER, Native.getLastError());
    }

    @Test
    void instanceThatNeverCalledConnectNamedPipeStillTakesAClient() {
        HANDLE server = server(Kernel32.PIPE_ACCESS_DUPLEX | Kernel32Ex.FILE_FLAG_OVERLAPPED, Kernel32.PIPE_TYPE_MESSAGE, 1);
        client();
        Overlapped connect = new Overlapped();
        try {
            assertFalse(KX.ConnectNamedPipe(server, connect.pointer()));
            assertEquals(Win32Errors.ERROR_PIPE_CONNECTED, Native.getLastError(), "the client came before ConnectNamedPipe");
        } finally {
            connect.free();
        }
    }

    @Test
    void anInstanceBeyondMaxInstancesIsRefusedAsBusy() {
        assertNotEquals(WinBase.INVALID_HANDLE_VALUE, server(Kernel32.PIPE_ACCESS_DUPLEX, Kernel32.PIPE_TYPE_MESSAGE, 1));

        assertEquals(WinBase.INVALID_HANDLE_VALUE, server(Kernel32.PIPE_ACCESS_DUPLEX, Kernel32.PIPE_TYPE_MESSAGE, 1));
        assertEquals(Win32Errors.ERROR_PIPE_BUSY, Native.getLastError());
    }

    /**
     * A server that closes its handle to a connected instance without DisconnectNamedPipe leaves
     * the instance to its client (which reads what it has not yet): pipekit does so for a stream
     * handler's end only under an unlimited maxInstances (PipeInstance.end), because on Windows
     * the instance lives on until the client closes its end, and counts against nMaxInstances:
     * a new instance is refused as busy. Wine lets go of the instance with the server's handle,
     * which is why a pipekit test under Wine cannot show the ERROR_PIPE_BUSY the Windows rule
     * causes; recorded here, so that a Wine that keeps the count is noticed. The Windows branch is
     * the rule as the review found it; this test bed has not run it on Windows.
     */
    @Test
    void anInstanceClosedByTheServerAloneStillCountsAgainstMaxInstancesOnWindowsButNotUnderWine() {
        HANDLE server = K.CreateNamedPipe(path, Kernel32.PIPE_ACCESS_DUPLEX, Kernel32.PIPE_TYPE_MESSAGE, 1, 4096, 4096, 0, null);
        assertNotEquals(WinBase.INVALID_HANDLE_VALUE, server, () -> "CreateNamedPipe failed with " + Native.getLastError());
        client(); // held open, unread, until the test ends
        assertTrue(K.CloseHandle(server), () -> "CloseHandle " + Native.getLastError());

        HANDLE next = server(Kernel32.PIPE_ACCESS_DUPLEX, Kernel32.PIPE_TYPE_MESSAGE, 1);

        if (Wine.isRunning()) {
            assertNotEquals(WinBase.INVALID_HANDLE_VALUE, next, "Wine " + Wine.version().get()
                    + " now counts an instance its client still holds (error " + Native.getLastError() + ")");
        } else {
            assertEquals(WinBase.INVALID_HANDLE_VALUE, next);
            assertEquals(Win32Errors.ERROR_PIPE_BUSY, Native.getLastError());
        }
    }

    @Test
    void readFileExOnALongerMessageCompletesWithBufferOverflow() throws Exception {
        HANDLE server = server(Kernel32.PIPE_ACCESS_DUPLEX | Kernel32Ex.FILE_FLAG_OVERLAPPED,
                Kernel32.PIPE_TYPE_MESSAGE | Kernel32Ex.PIPE_READMODE_MESSAGE, 1);
        HANDLE client = client();
        byte[] message = new byte[100];
        IntByReference written = new IntByReference();
        assertTrue(K.WriteFile(client, message, message.length, written, null), () -> "WriteFile " + Native.getLastError());
        AtomicInteger calls = new AtomicInteger();
        int[] routineBytes = new int[1];
        Kernel32Direct.IoCompletion routine = (error, bytes, overlapped) -> {
            calls.incrementAndGet();
            routineBytes[0] = bytes;
        };
        Overlapped read = new Overlapped();
        Memory buffer = new Memory(10);
        HANDLE neverSignalled = K.CreateEvent(null, true, false, null);
        handles.add(neverSignalled);
        try {
            boolean started = Kernel32Direct.ReadFileEx(server.getPointer(), buffer, 10, read.pointer(), routine);
            int error = started ? 0 : Native.getLastError();

            if (Wine.isRunning()) {
                // Wine: FALSE with ERROR_MORE_DATA when the first part is there at once, routine still
                // queued. Only the return differs from Windows; what pipekit relies on either way (one
                // routine call, the bytes, STATUS_BUFFER_OVERFLOW) is asserted below for both, and
                // the Windows job asserts the TRUE.
                assertFalse(started, "Wine " + Wine.version().get() + " now returns TRUE, as Windows does");
                assertEquals(Win32Errors.ERROR_MORE_DATA, error);
            } else {
                assertTrue(started, () -> "ReadFileEx failed with " + error);
            }
            assertEquals(Kernel32Ex.WAIT_IO_COMPLETION, Kernel32Direct.WaitForSingleObjectEx(neverSignalled.getPointer(), 2000, true));
            assertEquals(1, calls.get(), "the completion routine runs once either way");
            assertEquals(10, routineBytes[0]);
            assertEquals(Kernel32Ex.STATUS_BUFFER_OVERFLOW, read.status(), "the OVERLAPPED says more of the message is waiting");
        } finally {
            read.free();
            buffer.close();
            Reference.reachabilityFence(routine); // JNA's callback stub must outlive the APC
        }
    }

    @Test
    void readFileExAfterTheClientHasLeftEndsWithBrokenPipe() throws Exception {
        HANDLE server = server(Kernel32.PIPE_ACCESS_DUPLEX | Kernel32Ex.FILE_FLAG_OVERLAPPED,
                Kernel32.PIPE_TYPE_MESSAGE | Kernel32Ex.PIPE_READMODE_MESSAGE, 1);
        Overlapped connect = new Overlapped();
        HANDLE connected = K.CreateEvent(null, true, false, null);
        handles.add(connected);
        connect.reset(connected);
        boolean connectStarted = KX.ConnectNamedPipe(server, connect.pointer());
        int connectError = connectStarted ? 0 : Native.getLastError();
        assertEquals(Win32Errors.ERROR_IO_PENDING, connectError, "an overlapped connect waits for its client");
        HANDLE client = client();
        assertEquals(Kernel32Ex.WAIT_OBJECT_0, K.WaitForSingleObject(connected, 5000), "the connect completed");
        K.CloseHandle(client); // the client leaves before the server's first read
        handles.remove(client);

        AtomicInteger calls = new AtomicInteger();
        int[] routineError = new int[1];
        Kernel32Direct.IoCompletion routine = (error, bytes, overlapped) -> {
            calls.incrementAndGet();
            routineError[0] = error;
        };
        Overlapped read = new Overlapped();
        Memory buffer = new Memory(10);
        HANDLE neverSignalled = K.CreateEvent(null, true, false, null);
        handles.add(neverSignalled);
        try {
            boolean started = Kernel32Direct.ReadFileEx(server.getPointer(), buffer, 10, read.pointer(), routine);
            int error = started ? 0 : Native.getLastError();
            int woke = Kernel32Direct.WaitForSingleObjectEx(neverSignalled.getPointer(), 2000, true);
            String seen = "ReadFileEx returned " + started + " (error " + error + "), the wait " + woke + ", routine calls "
                    + calls.get() + " (error " + routineError[0] + ", OVERLAPPED status 0x" + Integer.toHexString(read.status()) + ")";
            // Either refused at once with ERROR_BROKEN_PIPE, or started and its routine told so:
            // never a read that waits for a client who is gone.
            assertTrue((!started && (error == Win32Errors.ERROR_BROKEN_PIPE || error == Win32Errors.ERROR_PIPE_NOT_CONNECTED)
                    && calls.get() == 0)
                    || (started && calls.get() == 1 && routineError[0] != 0), seen);
        } finally {
            if (calls.get() == 0) {
                KX.CancelIoEx(server, null);
                Kernel32Direct.WaitForSingleObjectEx(neverSignalled.getPointer(), 1000, true);
            }
            read.free();
            connect.free();
            buffer.close();
            Reference.reachabilityFence(routine);
        }
    }
}
