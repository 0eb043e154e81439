package io.pipekit.core;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Map;

/**
 * The Win32 error codes pipekit meets, named in this one place: {@link PipeException#code()} is
 * compared against them, the native glue tests results against them, and the names in
 * exception messages ({@code ERROR_PIPE_BUSY}) are read from these constants' own names, so a
 * code and its name cannot drift apart.
 */
public final class Win32Errors {
    public static final int ERROR_SUCCESS = 0;
    /** The file (here: the pipe) does not exist. */
    public static final int ERROR_FILE_NOT_FOUND = 2;
    public static final int ERROR_PATH_NOT_FOUND = 3;
    /** Access is denied; for a server, the name is already served (first instance taken). */
    public static final int ERROR_ACCESS_DENIED = 5;
    public static final int ERROR_INVALID_HANDLE = 6;
    public static final int ERROR_NOT_ENOUGH_MEMORY = 8;
    public static final int ERROR_NOT_SUPPORTED = 50;
    public static final int ERROR_INVALID_PARAMETER = 87;
    /** The other end closed the pipe. */
    public static final int ERROR_BROKEN_PIPE = 109;
    /** A wait for the pipe timed out. */
    public static final int ERROR_SEM_TIMEOUT = 121;
    public static final int ERROR_INVALID_NAME = 123;
    public static final int ERROR_BAD_PATHNAME = 161;
    /** The pipe state is invalid: for a client, the server disconnected its instance. */
    public static final int ERROR_BAD_PIPE = 230;
    /** Every instance of the pipe is busy. */
    public static final int ERROR_PIPE_BUSY = 231;
    /** The pipe is being closed. */
    public static final int ERROR_NO_DATA = 232;
    /** No process is on the other end of the pipe. */
    public static final int ERROR_PIPE_NOT_CONNECTED = 233;
    /** More data is available: the message is longer than the buffer. */
    public static final int ERROR_MORE_DATA = 234;
    public static final int WAIT_TIMEOUT = 258;
    public static final int ERROR_PIPE_CONNECTED = 535;
    public static final int ERROR_PIPE_LISTENING = 536;
    /** The I/O operation was aborted (cancelled, or its thread exited). */
    public static final int ERROR_OPERATION_ABORTED = 995;
    public static final int ERROR_IO_INCOMPLETE = 996;
    public static final int ERROR_IO_PENDING = 997;
    /** The thread impersonates nobody: it has no token of its own. */
    public static final int ERROR_NO_TOKEN = 1008;
    public static final int ERROR_NOT_FOUND = 1168;
    /** No account has that name ({@code LookupAccountName}), or no name that SID. */
    public static final int ERROR_NONE_MAPPED = 1332;
    public static final int ERROR_INVALID_ACL = 1336;
    public static final int ERROR_INVALID_SID = 1337;
    public static final int ERROR_INVALID_SECURITY_DESCR = 1338;
    /** An identification-level client context was used to act as the client. */
    public static final int ERROR_BAD_IMPERSONATION_LEVEL = 1346;
    public static final int ERROR_NO_SYSTEM_RESOURCES = 1450;

    private static final Map<Integer, String> NAMES = names();

    private Win32Errors() {
    }

    /** The symbolic name of {@code code}, such as {@code ERROR_PIPE_BUSY}; {@code WIN32_ERROR_<n>} for a code not named here. */
    public static String name(int code) {
        if (code == PipeException.NO_CODE) {
            return "NO_CODE";
        }
        String name = NAMES.get(code);
        return name != null ? name : "WIN32_ERROR_" + code;
    }

    private static Map<Integer, String> names() {
        Map<Integer, String> names = new HashMap<>();
        for (Field field : Win32Errors.class.getDeclaredFields()) {
            int modifiers = field.getModifiers();
            if (field.getType() == int.class && Modifier.isPublic(modifiers) && Modifier.isStatic(modifiers)) {
                try {
                    names.put(field.getInt(null), field.getName());
                } catch (IllegalAccessException impossible) {
                    throw new AssertionError(impossible);
                }
            }
        }
        return Map.copyOf(names);
    }
}
