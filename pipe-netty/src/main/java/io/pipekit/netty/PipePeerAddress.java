package io.pipekit.netty;

import io.pipekit.core.PeerIdentity;
import java.io.Serial;
import java.net.SocketAddress;
import java.util.Objects;

/**
 * The remote address of a pipe connection: the pipe, and who is at the other end. On a connection
 * a server accepted, the other end is the client; on a client's channel, it is the server, as the
 * server trust checked it.
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

    /** {@code identity}, at the other end of a connection on {@code pipe}. */
    public PipePeerAddress(NettyPipeAddress pipe, PeerIdentity identity) {
        this.pipe = Objects.requireNonNull(pipe, "pipe");
        this.identity = Objects.requireNonNull(identity, "identity");
    }

    /** The pipe the connection is on. */
    public NettyPipeAddress pipe() {
        return pipe;
    }

    /** Who is at the other end, read by the operating system when the connection was made. */
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
