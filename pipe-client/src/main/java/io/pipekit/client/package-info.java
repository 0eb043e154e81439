/**
 * The pipekit client: {@link io.pipekit.client.PipeClient} connects to a message-type pipe
 * (retrying while every instance is busy, up to a timeout) and sends, receives and
 * transacts whole messages.
 */
package io.pipekit.client;
