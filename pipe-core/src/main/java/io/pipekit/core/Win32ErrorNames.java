package io.pipekit.core;

import java.util.Map;

/** Symbolic names of the Win32 error codes that named-pipe code meets. */
final class Win32ErrorNames {
    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(-1, "NO_CODE"),
            Map.entry(0, "ERROR_SUCCESS"),
            Map.entry(2, "ERROR_FILE_NOT_FOUND"),
            Map.entry(3, "ERROR_PATH_NOT_FOUND"),
            Map.entry(5, "ERROR_ACCESS_DENIED"),
            Map.entry(6, "ERROR_INVALID_HANDLE"),
            Map.entry(8, "ERROR_NOT_ENOUGH_MEMORY"),
            Map.entry(50, "ERROR_NOT_SUPPORTED"),
            Map.entry(87, "ERROR_INVALID_PARAMETER"),
            Map.entry(109, "ERROR_BROKEN_PIPE"),
            Map.entry(121, "ERROR_SEM_TIMEOUT"),
            Map.entry(123, "ERROR_INVALID_NAME"),
            Map.entry(161, "ERROR_BAD_PATHNAME"),
            Map.entry(230, "ERROR_BAD_PIPE"),
            Map.entry(231, "ERROR_PIPE_BUSY"),
            Map.entry(232, "ERROR_NO_DATA"),
            Map.entry(233, "ERROR_PIPE_NOT_CONNECTED"),
            Map.entry(234, "ERROR_MORE_DATA"),
            Map.entry(258, "WAIT_TIMEOUT"),
            Map.entry(535, "ERROR_PIPE_CONNECTED"),
            Map.entry(536, "ERROR_PIPE_LISTENING"),
            Map.entry(995, "ERROR_OPERATION_ABORTED"),
            Map.entry(996, "ERROR_IO_INCOMPLETE"),
            Map.entry(997, "ERROR_IO_PENDING"),
            Map.entry(1168, "ERROR_NOT_FOUND"),
            Map.entry(1336, "ERROR_INVALID_ACL"),
            Map.entry(1337, "ERROR_INVALID_SID"),
            Map.entry(1338, "ERROR_INVALID_SECURITY_DESCR"),
            Map.entry(1450, "ERROR_NO_SYSTEM_RESOURCES"));

    private Win32ErrorNames() {
    }

    static String of(int code) {
        String name = NAMES.get(code);
        return name != null ? name : "WIN32_ERROR_" + code;
    }
}
