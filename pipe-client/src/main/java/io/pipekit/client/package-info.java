/**
 * The pipekit client: {@link io.pipekit.client.PipeClient} connects to a pipe of either type
 * (retrying while every instance is busy, up to a timeout). On a message-type pipe it sends,
 * receives and transacts whole messages; on a byte-type pipe, read in byte mode, it reads and
 * writes the pipe's bytes as streams or channels, and its message methods refuse.
 */
package io.pipekit.client;
