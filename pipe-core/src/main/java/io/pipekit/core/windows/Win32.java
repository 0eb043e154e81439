package io.pipekit.core.windows;

import io.pipekit.core.Win32Errors;
import com.sun.jna.Native;
import io.pipekit.core.NoSuchPipeException;
import io.pipekit.core.PeerClosedException;
import io.pipekit.core.PipeAccessDeniedException;
import io.pipekit.core.PipeBusyException;
import io.pipekit.core.PipeException;
import io.pipekit.core.PipeIoException;

/**
 * Turns Win32 error codes into {@link PipeException}s of the type a caller can branch on: the
 * same types the Unix transport throws for the same conditions, with the Win32 code kept.
 */
public final class Win32 {
    private Win32() {
    }

    /** The last error of the native call that just failed, as an exception naming {@code operation}. */
    public static PipeException lastError(String operation) {
        return exception(operation, Native.getLastError(), null);
    }

    /** The exception for {@code code}; {@code explanation} may be {@code null} for the default text. */
    public static PipeException exception(String operation, int code, String explanation) {
        return switch (code) {
            case Win32Errors.ERROR_FILE_NOT_FOUND, Win32Errors.ERROR_PATH_NOT_FOUND ->
                    new NoSuchPipeException(operation, code, explanation != null ? explanation : "no such pipe");
            case Win32Errors.ERROR_PIPE_BUSY, Win32Errors.ERROR_SEM_TIMEOUT ->
                    new PipeBusyException(operation, code, explanation != null ? explanation : "every instance of the pipe is busy");
            case Win32Errors.ERROR_BROKEN_PIPE, Win32Errors.ERROR_NO_DATA, Win32Errors.ERROR_PIPE_NOT_CONNECTED ->
                    new PeerClosedException(operation, code, explanation != null ? explanation : "the other end closed the pipe");
            // "The pipe state is invalid": what Windows says to a client whose instance the server
            // disconnected while it was still connecting (SetNamedPipeHandleState), as a refused
            // client's is.
            case Win32Errors.ERROR_BAD_PIPE ->
                    new PeerClosedException(operation, code, explanation != null ? explanation : "the server disconnected the pipe");
            case Win32Errors.ERROR_ACCESS_DENIED ->
                    new PipeAccessDeniedException(operation, code, explanation != null ? explanation : "access denied");
            default -> new PipeIoException(operation, code, explanation);
        };
    }
}
