/**
 * Internal: the Unix domain socket channels behind {@link io.pipekit.netty.PipeNetty} on Linux and
 * macOS, on Netty's own NIO event loop, with pipekit's socket paths, path claim, owner-only socket
 * files, uid check, admission and server trust. Not exported; reached through {@code PipeNetty}.
 */
package io.pipekit.netty.unix;
