/**
 * pipekit's Netty transport, the API: {@link io.pipekit.netty.PipeNetty} picks the event loop group and
 * channel classes for this OS, {@link io.pipekit.netty.NettyPipeAddress} names a pipe the way Netty's
 * bootstraps and gRPC's builders take an address, {@link io.pipekit.netty.PipeChannelOption} holds the
 * pipe's options, and {@link io.pipekit.netty.PipeChannel} gives a connection's peer identity.
 *
 * <p>The channel and loop classes behind it live in packages this module does not export.
 */
package io.pipekit.netty;
