package io.pipekit.netty;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.pipekit.core.PeerIdentity;

/**
 * A connection over a pipe: an accepted one (a server channel's child) or one a client made.
 *
 * <p>On an accepted channel the peer is the client, read when it connected, before the channel
 * became active and before admission ran; it is also the channel's {@link #PEER_IDENTITY}
 * attribute and part of its {@code remoteAddress()}, a {@link PipePeerAddress}. On a client's
 * channel the peer is the server, as the server trust checked it.
 */
public interface PipeChannel extends Channel {

    /** The attribute that holds the peer's identity on every pipe channel, set before it is active. */
    AttributeKey<PeerIdentity> PEER_IDENTITY = AttributeKey.valueOf(PipeChannel.class, "PEER_IDENTITY");

    /** Who is at the other end, read when the connection was made. */
    PeerIdentity peerIdentity();

    /** The pipe this connection is on. */
    @Override
    NettyPipeAddress localAddress();
}
