package io.pipekit.core;

/**
 * How a pipe carries what is written to it: as whole messages, or as a stream of bytes. The
 * server chooses it when it creates the pipe ({@code PIPE_TYPE_MESSAGE} or {@code PIPE_TYPE_BYTE}
 * for {@code CreateNamedPipe}); a client reads it, in either {@link ReadMode}.
 *
 * <p>On Unix domain sockets, a message-type pipe is pipekit's length-prefixed framing
 * (docs/protocol.md), and a byte-type pipe is the socket's raw stream, with no framing at all.
 */
public enum PipeType {
    /** Each write is one message, and message read mode returns it whole. pipekit's default, as in the sample. */
    MESSAGE,
    /**
     * A stream of bytes with no boundaries, as most pipes a Java program meets are: the Docker
     * engine's, the OpenSSH agent's, anything made by libuv, Node or .NET with default options.
     */
    BYTE
}
