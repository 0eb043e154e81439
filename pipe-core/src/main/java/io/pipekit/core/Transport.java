package io.pipekit.core;

import java.util.Locale;

/**
 * The transports pipekit runs on. Both serve the same {@code PipeServer} and {@code PipeClient}
 * API, each server on one I/O thread: message-type pipes (whole messages) and byte-type pipes (a
 * stream of bytes), see {@link PipeType}, and the four handler kinds ({@code RequestHandler},
 * {@code AsyncRequestHandler}, {@code ConnectionHandler}, {@code StreamHandler}). Where one
 * transport cannot honour an option, the option's javadoc says so.
 */
public enum Transport {
    /**
     * Windows named pipes, message-type or byte-type, served with overlapped I/O and completion
     * routines. Windows only: the builders refuse it elsewhere.
     */
    WINDOWS_NAMED_PIPES,
    /**
     * Unix domain sockets, served with a selector on one thread. A message-type pipe frames each
     * message with a length prefix (see {@code docs/protocol.md}); a byte-type pipe is the
     * socket's raw stream. The socket of a pipe name lives in a per-user directory. Linux and
     * macOS only: the builders refuse it on Windows, whose {@code AF_UNIX} lacks the peer
     * credentials and POSIX permissions pipekit relies on.
     */
    UNIX_DOMAIN_SOCKETS;

    /** The transport this operating system uses: named pipes on Windows, Unix domain sockets elsewhere. */
    public static Transport forThisOs() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")
                ? WINDOWS_NAMED_PIPES : UNIX_DOMAIN_SOCKETS;
    }
}
