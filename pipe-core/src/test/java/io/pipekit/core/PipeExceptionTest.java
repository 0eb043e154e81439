package io.pipekit.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class PipeExceptionTest {

    @Test
    void messageNamesTheOperationTheExplanationAndTheCode() {
        PipeException e = new PipeIoException("connect \\\\.\\pipe\\x", Win32Errors.ERROR_PIPE_BUSY,
                "all instances are busy");

        assertEquals("connect \\\\.\\pipe\\x: all instances are busy (ERROR_PIPE_BUSY, 231)", e.getMessage());
    }

    @Test
    void messageWithoutExplanationSaysFailed() {
        PipeException e = new PeerClosedException("ReadFile", Win32Errors.ERROR_BROKEN_PIPE, null);

        assertEquals("ReadFile: failed (ERROR_BROKEN_PIPE, 109)", e.getMessage());
    }

    @Test
    void operationAndCodeAreAvailableToCallers() {
        PipeException e = new PipeIoException("connect \\\\.\\pipe\\x", Win32Errors.ERROR_FILE_NOT_FOUND,
                "no such pipe");

        assertEquals("connect \\\\.\\pipe\\x", e.operation());
        assertEquals(2, e.code());
        assertEquals("ERROR_FILE_NOT_FOUND", e.symbolicName());
    }

    @Test
    void knownCodesHaveTheirSymbolicNames() {
        assertEquals("ERROR_FILE_NOT_FOUND", PipeException.symbolicName(Win32Errors.ERROR_FILE_NOT_FOUND));
        assertEquals("ERROR_ACCESS_DENIED", PipeException.symbolicName(Win32Errors.ERROR_ACCESS_DENIED));
        assertEquals("ERROR_BROKEN_PIPE", PipeException.symbolicName(Win32Errors.ERROR_BROKEN_PIPE));
        assertEquals("ERROR_SEM_TIMEOUT", PipeException.symbolicName(Win32Errors.ERROR_SEM_TIMEOUT));
        assertEquals("ERROR_PIPE_BUSY", PipeException.symbolicName(Win32Errors.ERROR_PIPE_BUSY));
        assertEquals("ERROR_NO_DATA", PipeException.symbolicName(Win32Errors.ERROR_NO_DATA));
        assertEquals("ERROR_PIPE_NOT_CONNECTED", PipeException.symbolicName(Win32Errors.ERROR_PIPE_NOT_CONNECTED));
        assertEquals("ERROR_MORE_DATA", PipeException.symbolicName(Win32Errors.ERROR_MORE_DATA));
        assertEquals("ERROR_OPERATION_ABORTED", PipeException.symbolicName(Win32Errors.ERROR_OPERATION_ABORTED));
        assertEquals("ERROR_IO_PENDING", PipeException.symbolicName(997));
        assertEquals("ERROR_PIPE_CONNECTED", PipeException.symbolicName(535));
    }

    @Test
    void unknownCodesReadAsWin32ErrorN() {
        assertEquals("WIN32_ERROR_12345", PipeException.symbolicName(12345));

        PipeException e = new PipeIoException("WriteFile", 12345, null);
        assertEquals("WIN32_ERROR_12345", e.symbolicName());
        assertEquals("WriteFile: failed (WIN32_ERROR_12345, 12345)", e.getMessage());
    }

    @Test
    void failureWithoutCodeHasNoParenthesisedCode() {
        PipeException e = new PipeIoException("connect /tmp/x.sock", PipeException.NO_CODE, "connection refused", null);

        assertEquals("connect /tmp/x.sock: connection refused", e.getMessage());
        assertFalse(e.getMessage().contains("("), e.getMessage());
        assertEquals(PipeException.NO_CODE, e.code());
        assertEquals(-1, e.code());
    }

    @Test
    void causeIsKept() {
        IOException cause = new IOException("underlying");
        PipeException e = new PipeIoException("connect /tmp/x.sock", PipeException.NO_CODE, "refused", cause);

        assertSame(cause, e.getCause());
        assertNull(new PeerClosedException("ReadFile", Win32Errors.ERROR_BROKEN_PIPE, null).getCause());
    }

    @Test
    void itIsAnIOException() {
        assertInstanceOf(IOException.class, new PeerClosedException("ReadFile", Win32Errors.ERROR_BROKEN_PIPE, null));
    }

    @Test
    void theHierarchyIsSealedAndEveryKindIsFinal() {
        // Once, anyone could subclass PipeException, and a handler's catch could meet kinds
        // pipekit never made.
        assertTrue(PipeException.class.isSealed());
        assertTrue(java.lang.reflect.Modifier.isAbstract(PipeException.class.getModifiers()),
                "the base is never thrown itself: a switch over the subtypes covers every failure");
        Class<?>[] kinds = PipeException.class.getPermittedSubclasses();
        assertEquals(13, kinds.length, java.util.Arrays.toString(kinds));
        for (Class<?> kind : kinds) {
            assertTrue(java.lang.reflect.Modifier.isFinal(kind.getModifiers()), kind + " is final");
        }
    }

    @Test
    void anExceptionWithoutAnOperationIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new PipeIoException(null, 5, null));
        assertThrows(IllegalArgumentException.class, () -> new PeerClosedException(" ", PipeException.NO_CODE, "gone"));
    }

    @Test
    void codeNamesComeFromTheOneListOfWin32Codes() {
        assertEquals("ERROR_PIPE_BUSY", PipeException.symbolicName(231));
        assertEquals("ERROR_BAD_IMPERSONATION_LEVEL", Win32Errors.name(Win32Errors.ERROR_BAD_IMPERSONATION_LEVEL));
        assertEquals("NO_CODE", Win32Errors.name(PipeException.NO_CODE));
        assertEquals("WIN32_ERROR_4242", Win32Errors.name(4242));
    }
}
