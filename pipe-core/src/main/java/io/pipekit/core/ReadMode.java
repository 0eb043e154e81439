package io.pipekit.core;

/**
 * How a client reads its pipe ({@code PIPE_READMODE_MESSAGE} or {@code PIPE_READMODE_BYTE}).
 *
 * <p>A message-type pipe can be read either way: whole messages, or its bytes as one stream, as
 * go-winio and .NET read it by default. A byte-type pipe can only be read as bytes: Windows
 * refuses message read mode on it with {@code ERROR_INVALID_PARAMETER} (so do Wine 8 and 10,
 * measured in {@code Win32PipeRulesTest}), and pipekit refuses it first, with that code and a
 * message that says to read in byte mode.
 */
public enum ReadMode {
    /**
     * Whatever the pipe's own type allows best: message read mode on a message-type pipe, byte
     * read mode on a byte-type one ({@code GetNamedPipeInfo}). Unix domain sockets carry no
     * type to ask for: there it means {@link #MESSAGE}, pipekit's default pipe type, and a
     * client of a byte-type server says {@link #BYTE}.
     */
    AUTO,
    /** Whole messages, as the sample reads them; only on a message-type pipe. */
    MESSAGE,
    /** Bytes as they come, whatever the pipe's type: a receive returns what one read delivered. */
    BYTE
}
