/**
 * Internal: what the Unix-domain-socket transport shares between server and client, the
 * framing of messages ({@link io.pipekit.core.unix.Frames}, specified in
 * {@code docs/protocol.md}) and where a pipe name's socket lives
 * ({@link io.pipekit.core.unix.SocketPaths}).
 */
package io.pipekit.core.unix;
