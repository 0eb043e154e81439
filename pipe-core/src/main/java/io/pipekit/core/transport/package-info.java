/**
 * The transport seam: what the server loop and the client need from a transport, and
 * nothing about how it is done. The Windows transport (named pipes, completion routines)
 * and the Unix one (domain sockets, a selector) both stand behind these interfaces, so
 * {@code PipeServer}'s sessions and {@code PipeClient} never ask which one is under them.
 */
package io.pipekit.core.transport;
