package io.pipekit.core;

import java.util.Locale;

/**
 * The transports pipekit runs on. Both give the same message semantics behind the same
 * {@code PipeServer} and {@code PipeClient} API: whole messages, one server thread, the
 * read, answer, write, read chain.
 */
public enum Transport {
    /** Windows named pipes in message mode, served with overlapped I/O and completion routines. */
    WINDOWS_NAMED_PIPES,
    /**
     * Unix domain sockets with length-prefixed framing (see {@code docs/protocol.md}), served
     * with a selector on one thread. The socket of a pipe name lives in a per-user directory.
     */
    UNIX_DOMAIN_SOCKETS;

    /** The transport this operating system uses: named pipes on Windows, Unix domain sockets elsewhere. */
    public static Transport forThisOs() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")
                ? WINDOWS_NAMED_PIPES : UNIX_DOMAIN_SOCKETS;
    }
}
