package io.pipekit.netty;

import io.pipekit.client.PipeAddress;
import io.pipekit.core.PipeName;
import io.pipekit.core.Transport;
import java.io.Serial;
import java.net.SocketAddress;
import java.util.Objects;

/**
 * A named pipe or Unix socket as a Netty channel's address: what {@code ServerBootstrap.bind},
 * {@code Bootstrap.connect} and gRPC's {@code NettyServerBuilder.forAddress}/{@code
 * NettyChannelBuilder.forAddress} take.
 *
 * <p>It takes every form {@link PipeAddress#parse} takes ({@code \\.\pipe\NAME}, {@code
 * npipe:////./pipe/NAME}, {@code unix:///path}, an absolute path, a bare name). It is deliberately
 * not an {@link java.net.InetSocketAddress}, as {@link PipeAddress} is: Netty's {@code Bootstrap}
 * would hand an unresolved one to the name service, and gRPC would try to make an authority of its
 * host. gRPC uses {@link #toString()} as the authority instead, so a gRPC client over a pipe says
 * {@code overrideAuthority("localhost")} (docs/netty.md).
 *
 * <p>Two addresses are equal when they name the same pipe over the same transport ({@link
 * PipeAddress#equals}: pipe names without regard to case, socket paths exactly).
 */
public final class NettyPipeAddress extends SocketAddress {
    @Serial
    private static final long serialVersionUID = 1L;

    private final PipeAddress address;

    private NettyPipeAddress(PipeAddress address) {
        this.address = Objects.requireNonNull(address, "address");
    }

    /** The address of a {@link PipeAddress}. */
    public static NettyPipeAddress of(PipeAddress address) {
        return new NettyPipeAddress(address);
    }

    /**
     * Parses any form {@link PipeAddress#parse} accepts.
     *
     * @throws IllegalArgumentException naming the forms accepted, for anything else
     */
    public static NettyPipeAddress parse(String address) {
        return new NettyPipeAddress(PipeAddress.parse(address));
    }

    /** The same pipe as a {@link PipeAddress}, for pipekit's own clients and sockets. */
    public PipeAddress pipeAddress() {
        return address;
    }

    /** The pipe or socket path. */
    public PipeName pipeName() {
        return address.pipeName();
    }

    /** The transport that reaches it on this OS: named pipes or Unix domain sockets. */
    public Transport transport() {
        return address.transport();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NettyPipeAddress other && address.equals(other.address);
    }

    @Override
    public int hashCode() {
        return address.hashCode();
    }

    /** {@code \\.\pipe\NAME} for a pipe, the path for a socket, as {@link PipeAddress#toString()}. */
    @Override
    public String toString() {
        return address.toString();
    }
}
