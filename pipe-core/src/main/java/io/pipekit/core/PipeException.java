package io.pipekit.core;

import java.io.IOException;

/**
 * The one exception pipekit throws for a failed pipe operation. It carries the operation
 * that failed ({@code "CreateNamedPipe \\.\pipe\x"}), the Win32 error code (or
 * {@link #NO_CODE} where none applies, as on Unix sockets) and that code's symbolic name, so
 * callers can branch on {@link #code()} and people can read the message:
 * {@code connect \\.\pipe\x: no such pipe (ERROR_FILE_NOT_FOUND, 2)}.
 */
public class PipeException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The value of {@link #code()} when the failure has no Win32 error code. */
    public static final int NO_CODE = -1;

    /** The file (here: the pipe) does not exist. */
    public static final int ERROR_FILE_NOT_FOUND = 2;
    /** Access is denied; for a server, the name is already served (first instance taken). */
    public static final int ERROR_ACCESS_DENIED = 5;
    /** The other end closed the pipe. */
    public static final int ERROR_BROKEN_PIPE = 109;
    /** A wait for the pipe timed out. */
    public static final int ERROR_SEM_TIMEOUT = 121;
    /** Every instance of the pipe is busy. */
    public static final int ERROR_PIPE_BUSY = 231;
    /** The pipe is being closed. */
    public static final int ERROR_NO_DATA = 232;
    /** No process is on the other end of the pipe. */
    public static final int ERROR_PIPE_NOT_CONNECTED = 233;
    /** More data is available: the message is longer than the buffer. */
    public static final int ERROR_MORE_DATA = 234;
    /** The I/O operation was aborted (cancelled, or its thread exited). */
    public static final int ERROR_OPERATION_ABORTED = 995;

    private final String operation;
    private final int code;

    /** A failure with a Win32 error code; the message is derived from the operation and code. */
    public PipeException(String operation, int code) {
        this(operation, code, null, null);
    }

    /** A failure with a Win32 error code and a human explanation (such as "no such pipe"). */
    public PipeException(String operation, int code, String explanation) {
        this(operation, code, explanation, null);
    }

    /** A failure without a Win32 code, or with a cause. */
    public PipeException(String operation, int code, String explanation, Throwable cause) {
        super(message(operation, code, explanation), cause);
        this.operation = operation;
        this.code = code;
    }

    private static String message(String operation, int code, String explanation) {
        StringBuilder m = new StringBuilder(operation).append(": ");
        m.append(explanation != null ? explanation : "failed");
        if (code != NO_CODE) {
            m.append(" (").append(symbolicName(code)).append(", ").append(code).append(')');
        }
        return m.toString();
    }

    /** The operation that failed, such as {@code ConnectNamedPipe \\.\pipe\x}. */
    public String operation() {
        return operation;
    }

    /** The Win32 error code, or {@link #NO_CODE}. */
    public int code() {
        return code;
    }

    /** The symbolic name of {@link #code()}, such as {@code ERROR_PIPE_BUSY}. */
    public String symbolicName() {
        return symbolicName(code);
    }

    /** The symbolic name of a Win32 error code; codes pipekit does not name read {@code WIN32_ERROR_<n>}. */
    public static String symbolicName(int code) {
        return Win32ErrorNames.of(code);
    }
}
