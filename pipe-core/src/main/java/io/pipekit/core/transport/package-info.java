/**
 * Internal: not an API, exported only to pipekit's server and client modules; it may change in
 * any release. The transport seam: what the server loop and the client need from a transport, and
 * nothing about how it is done. The Windows transport (named pipes, completion routines)
 * and the Unix one (domain sockets, a selector) both stand behind these interfaces, so
 * {@code PipeServer}'s sessions and {@code PipeClient} never ask which one is under them.
 * It is closed on purpose: a transport is chosen with {@code Transport}, and a new one comes
 * into pipekit itself, with the shared specification run against it.
 */
package io.pipekit.core.transport;
