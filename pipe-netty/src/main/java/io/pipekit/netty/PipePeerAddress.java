package io.pipekit.netty;

import io.pipekit.core.PeerIdentity;
import java.io.Serial;
import java.net.SocketAddress;
import java.util.Objects;

/**
 * The remote address of a connection a pipe server accepted: the pipe it came in on and who the
 * client is.
 *
 * <p>It is what an accepted channel's {@code remoteAddress()} returns, because that is the one fact
 * about a connection that frameworks built on Netty hand on to application code: gRPC gives it to
 * services and interceptors as {@code Grpc.TRANSPORT_ATTR_REMOTE_ADDR}. A server interceptor can
 * read the caller's identity from it without any transport-specific API.
 */
public final class PipePeerAddress extends SocketAddress {
    @Serial
    private static final long serialVersionUID = 1L;

    private final NettyPipeAddress pipe;
    private final PeerIdentity identity;

    /** The client {@code identity}, connected to {@code pipe}. */
    public PipePeerAddress(NettyPipeAddress pipe, PeerIdentity identity) {
        this.pipe = Objects.requireNonNull(pipe, "pipe");
        this.identity = Objects.requireNonNull(identity, "identity");
    }

    /** The pipe the client connected to. */
    public NettyPipeAddress pipe() {
        return pipe;
    }

    /** Who the client is, as the server read it when the client connected. */
    public PeerIdentity identity() {
        return identity;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PipePeerAddress other && pipe.equals(other.pipe) && identity.equals(other.identity);
    }

    @Override
    public int hashCode() {
        return pipe.hashCode() * 31 + identity.hashCode();
    }

    /** The pipe, then the client, for logs. */
    @Override
    public String toString() {
        return pipe + " <- " + identity;
    }
}
