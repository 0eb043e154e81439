package io.pipekit.core.windows;

import io.pipekit.core.Win32Errors;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.core.NoSuchPipeException;
import io.pipekit.core.PeerClosedException;
import io.pipekit.core.PipeAccessDeniedException;
import io.pipekit.core.PipeBusyException;
import io.pipekit.core.PipeException;
import org.junit.jupiter.api.Test;

/** Win32 codes become the exception types callers branch on; pure mapping, so it runs on every OS. */
class Win32Test {

    @Test
    void eachPipeConditionGetsItsTypeAndKeepsItsWin32Code() {
        assertTyped(NoSuchPipeException.class, Win32Errors.ERROR_FILE_NOT_FOUND);
        assertTyped(NoSuchPipeException.class, Win32Errors.ERROR_PATH_NOT_FOUND);
        assertTyped(PipeBusyException.class, Win32Errors.ERROR_PIPE_BUSY);
        assertTyped(PipeBusyException.class, Win32Errors.ERROR_SEM_TIMEOUT);
        assertTyped(PeerClosedException.class, Win32Errors.ERROR_BROKEN_PIPE);
        assertTyped(PeerClosedException.class, Win32Errors.ERROR_NO_DATA);
        assertTyped(PeerClosedException.class, Win32Errors.ERROR_PIPE_NOT_CONNECTED);
        assertTyped(PipeAccessDeniedException.class, Win32Errors.ERROR_ACCESS_DENIED);
    }

    @Test
    void aPipeDisconnectedUnderAConnectingClientIsThePeerClosing() {
        // A client the server refuses (admission) may meet the disconnect while it still sets the
        // read mode: Windows then says ERROR_BAD_PIPE ("the pipe state is invalid"), not
        // ERROR_PIPE_NOT_CONNECTED. security.md promises PeerClosedException for it.
        PipeException e = Win32.exception("SetNamedPipeHandleState \\\\.\\pipe\\x", Win32Errors.ERROR_BAD_PIPE, null);

        assertInstanceOf(PeerClosedException.class, e);
        assertEquals(Win32Errors.ERROR_BAD_PIPE, e.code());
        assertTrue(e.getMessage().contains("ERROR_BAD_PIPE"), e.getMessage());
    }

    @Test
    void otherCodesArePipeIoExceptionsWithTheCallersExplanation() {
        PipeException e = Win32.exception("WriteFileEx", 87, "bad parameter");

        assertEquals(io.pipekit.core.PipeIoException.class, e.getClass());
        assertEquals("WriteFileEx: bad parameter (ERROR_INVALID_PARAMETER, 87)", e.getMessage());
    }

    private static void assertTyped(Class<? extends PipeException> type, int code) {
        PipeException e = Win32.exception("op", code, null);
        assertInstanceOf(type, e, "code " + code);
        assertEquals(code, e.code());
        assertTrue(e.getMessage().startsWith("op: "), e.getMessage());
    }
}
