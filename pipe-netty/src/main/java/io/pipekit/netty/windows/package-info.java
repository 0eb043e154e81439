/**
 * The Windows side of pipekit's Netty transport (internal): the event loop on pipekit's
 * completion-routine loop and the named-pipe channels. Applications reach it through
 * {@code io.pipekit.netty.PipeNetty}.
 */
package io.pipekit.netty.windows;
