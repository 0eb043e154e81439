package io.pipekit.core;

import java.io.IOException;

/**
 * What every failed pipe operation of pipekit throws: one of the subtypes below, never this class
 * itself. Each carries the operation that failed ({@code "CreateNamedPipe \\.\pipe\x"}), the
 * Win32 error code (one of {@link Win32Errors}, or {@link #NO_CODE} where none applies, as on
 * Unix sockets) and that code's symbolic name, so people can read the message:
 * {@code connect \\.\pipe\x: no such pipe (ERROR_FILE_NOT_FOUND, 2)}.
 *
 * <p>The class is abstract and sealed, and every subtype is pipekit's and final: a {@code catch}
 * of the subtypes, or (Java 21 on) a pattern {@code switch} that names each of them, covers
 * every kind there is, and the compiler accepts such a {@code switch} without a {@code default}:
 * <pre>{@code
 * switch (e) {
 *     case NoSuchPipeException x -> ...;       // no server has the name (yet)
 *     case PipeBusyException x -> ...;         // every instance busy until the timeout
 *     case PipeTimeoutException x -> ...;      // a send or receive ran out of time
 *     case PeerClosedException x -> ...;       // the other side closed it or went away
 *     case PipeClosedException x -> ...;       // this side closed it
 *     case PipeInterruptedException x -> ...;  // this thread was interrupted; closed, flag set
 *     case PipeAccessDeniedException x -> ...; // not allowed
 *     case PipeNameInUseException x -> ...;    // a server: another server serves the name
 *     case UntrustedServerException x -> ...;  // a client: the server is not one it trusts
 *     case MessageTooLargeException x -> ...;  // over maxMessageSize
 *     case InvalidMessageException x -> ...;   // the codec refused the message; still usable
 *     case SendQueueFullException x -> ...;    // a server's queue for a slow client is full
 *     case PipeIoException x -> ...;           // anything else: an unmapped Win32 code, an OS error
 * }
 * }</pre>
 * The set of subtypes is part of the 1.0 API: no 1.x release adds one, since a new subtype would
 * break every such {@code switch}. A distinction found later comes as more information on an
 * existing type (a reason on {@link PipeIoException}, say, beside the {@link #code()} it already
 * carries), not as a new subtype.
 *
 * <p>The constructors of the subtypes stay public for fakes and tests of code that handles these
 * failures; they refuse a missing operation.
 */
public abstract sealed class PipeException extends IOException
        permits InvalidMessageException, MessageTooLargeException, NoSuchPipeException, PeerClosedException,
        PipeAccessDeniedException, PipeBusyException, PipeClosedException, PipeInterruptedException, PipeIoException,
        PipeNameInUseException, PipeTimeoutException, SendQueueFullException, UntrustedServerException {
    private static final long serialVersionUID = 1L;

    /** The value of {@link #code()} when the failure has no Win32 error code. */
    public static final int NO_CODE = -1;

    private final String operation;
    private final int code;

    /** A failure with a Win32 error code; the message is derived from the operation and code. */
    protected PipeException(String operation, int code) {
        this(operation, code, null, null);
    }

    /** A failure with a Win32 error code and a human explanation (such as "no such pipe"). */
    protected PipeException(String operation, int code, String explanation) {
        this(operation, code, explanation, null);
    }

    /** A failure without a Win32 code, or with a cause. */
    protected PipeException(String operation, int code, String explanation, Throwable cause) {
        super(message(checkedOperation(operation), code, explanation), cause);
        this.operation = operation;
        this.code = code;
    }

    private static String checkedOperation(String operation) {
        if (operation == null || operation.isBlank()) {
            throw new IllegalArgumentException("a PipeException names the operation that failed");
        }
        return operation;
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
        return Win32Errors.name(code);
    }
}
