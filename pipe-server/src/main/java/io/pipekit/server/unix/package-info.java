/**
 * Internal: the Unix transport of the server. {@link io.pipekit.server.unix.SelectorLoop} is
 * the completion-routine loop's twin: a selector stands in for the alertable wait, and each
 * {@link io.pipekit.server.unix.UnixConnection} runs the same read, answer, write, read chain
 * over length-prefixed frames.
 */
package io.pipekit.server.unix;
