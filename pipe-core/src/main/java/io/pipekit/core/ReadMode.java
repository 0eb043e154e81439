package io.pipekit.core;

/**
 * How a client reads its pipe: as whole messages ({@code PIPE_READMODE_MESSAGE}) or as a stream of
 * bytes ({@code PIPE_READMODE_BYTE}).
 *
 * <p>In message read mode a client's {@code receive} and {@code transact} return whole messages,
 * and its streams and channels read the messages one after another with no boundary. In byte read
 * mode there are no messages to return: the pipe is read through the client's streams and channels
 * only, and {@code receive} and {@code transact} refuse with an {@link IllegalStateException}.
 *
 * <p>A message-type pipe can be read either way: whole messages, or its bytes as one stream, as
 * go-winio and .NET read it by default. A byte-type pipe can only be read as bytes: Windows
 * refuses message read mode on it with {@code ERROR_INVALID_PARAMETER} (so do Wine 8 and 10,
 * measured in {@code Win32PipeRulesTest}), and pipekit refuses it first, with that code and a
 * message that says to read in byte mode.
 */
public enum ReadMode {
    /**
     * The pipe's own type on Windows named pipes, and always {@link #MESSAGE} on Unix domain
     * sockets, where a client cannot learn the server's pipe type. On Windows it asks the pipe
     * ({@code GetNamedPipeInfo}) and reads a message-type pipe in message read mode and a
     * byte-type one in byte read mode. A Unix socket carries no pipe type, and pipekit adds no
     * handshake to ask for one (raw peers speaking docs/protocol.md must keep working), so there a
     * client of a byte-type server says {@link #BYTE}. If it does not, it reads the server's bytes
     * as frames: a server whose replies happen to start with a 4-byte big-endian length (pipekit's
     * own {@code --mode byte} server, a raw echo) even seems to work, and any other reply fails
     * with a {@link MessageTooLargeException} that names this setting, or waits for a body that
     * never comes (the receive timeout ends that).
     */
    AUTO,
    /** Whole messages, as the sample reads them; only on a message-type pipe. */
    MESSAGE,
    /**
     * The pipe's bytes as one stream, whatever the pipe's type, read through the client's streams
     * and channels: it has no whole messages, so the client's {@code receive} and
     * {@code transact} refuse.
     */
    BYTE
}
