package io.pipekit.netty;

import io.netty.channel.ServerChannel;

/**
 * A listening pipe: it holds the name (refusing one another process already holds), makes its
 * instances or socket with pipekit's secure defaults, and accepts {@link PipeChannel}s, each with
 * its client's identity and only once {@link PipeChannelOption#ADMISSION} admitted it.
 */
public interface PipeServerChannel extends ServerChannel {

    /** The pipe it listens on, once bound. */
    @Override
    NettyPipeAddress localAddress();
}
