package io.pipekit.netty.unix;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannelConfig;
import io.pipekit.core.ServerTrust;
import io.pipekit.netty.PipeChannelOption;
import io.pipekit.netty.internal.MessageSettings;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.Objects;

/**
 * The options of a {@link UnixPipeChannel}: Netty's, the socket's real buffer sizes
 * ({@code SO_RCVBUF}, {@code SO_SNDBUF}), {@code ALLOW_HALF_CLOSURE} (real: a Unix socket has
 * half-close), the client's {@link PipeChannelOption#SERVER_TRUST}, {@link PipeChannelOption#PIPE_TYPE}
 * and {@link PipeChannelOption#MAX_MESSAGE_SIZE} (a client's to set before it connects; an accepted
 * channel has its server's type), and {@code SO_KEEPALIVE} and
 * {@code TCP_NODELAY}, which are accepted and have no effect on a local socket (gRPC sets
 * {@code SO_KEEPALIVE} on every channel it makes; refused, it would log a warning per connection).
 *
 * <p>It is a {@link SocketChannelConfig} because Netty 4.1's NIO byte channel honours
 * {@code ALLOW_HALF_CLOSURE} only for one (its own {@code NioDomainSocketChannel}, whose config is
 * only a {@code DuplexChannelConfig}, closes at the peer's half-close whatever the option says). The
 * TCP-only settings it then has to offer ({@code SO_LINGER}, traffic class, address reuse,
 * performance preferences) are refused: a local socket has none of them.
 */
final class UnixPipeChannelConfig extends DefaultChannelConfig implements SocketChannelConfig {
    private final SocketChannel socket;
    private volatile boolean allowHalfClosure;
    private volatile boolean keepAlive; // accepted, no effect
    private volatile boolean tcpNoDelay; // accepted, no effect
    private volatile ServerTrust serverTrust = ServerTrust.currentUserOrSystem(); // as PipeClient's builder
    private volatile int maxBytesPerGatheringWrite = Integer.MAX_VALUE;
    private final MessageSettings messages = new MessageSettings();

    UnixPipeChannelConfig(UnixPipeChannel channel, SocketChannel socket) {
        super(channel);
        this.socket = socket;
        calculateMaxBytesPerGatheringWrite();
    }

    @Override
    public Map<ChannelOption<?>, Object> getOptions() {
        return getOptions(super.getOptions(), ChannelOption.SO_RCVBUF, ChannelOption.SO_SNDBUF, ChannelOption.ALLOW_HALF_CLOSURE,
                ChannelOption.SO_KEEPALIVE, ChannelOption.TCP_NODELAY, PipeChannelOption.SERVER_TRUST, PipeChannelOption.PIPE_TYPE,
                PipeChannelOption.MAX_MESSAGE_SIZE);
    }

    @SuppressWarnings("unchecked")
    @Override
    public <T> T getOption(ChannelOption<T> option) {
        if (option == ChannelOption.SO_RCVBUF) {
            return (T) Integer.valueOf(getReceiveBufferSize());
        }
        if (option == ChannelOption.SO_SNDBUF) {
            return (T) Integer.valueOf(getSendBufferSize());
        }
        if (option == ChannelOption.ALLOW_HALF_CLOSURE) {
            return (T) Boolean.valueOf(allowHalfClosure);
        }
        if (option == ChannelOption.SO_KEEPALIVE) {
            return (T) Boolean.valueOf(keepAlive);
        }
        if (option == ChannelOption.TCP_NODELAY) {
            return (T) Boolean.valueOf(tcpNoDelay);
        }
        if (option == PipeChannelOption.SERVER_TRUST) {
            return (T) serverTrust;
        }
        if (MessageSettings.handles(option)) {
            return messages.get(option);
        }
        return super.getOption(option);
    }

    @Override
    public <T> boolean setOption(ChannelOption<T> option, T value) {
        validate(option, value);
        if (option == ChannelOption.SO_RCVBUF) {
            setReceiveBufferSize((Integer) value);
        } else if (option == ChannelOption.SO_SNDBUF) {
            setSendBufferSize((Integer) value);
        } else if (option == ChannelOption.ALLOW_HALF_CLOSURE) {
            setAllowHalfClosure((Boolean) value);
        } else if (option == ChannelOption.SO_KEEPALIVE) {
            setKeepAlive((Boolean) value);
        } else if (option == ChannelOption.TCP_NODELAY) {
            setTcpNoDelay((Boolean) value);
        } else if (option == PipeChannelOption.SERVER_TRUST) {
            serverTrust = Objects.requireNonNull((ServerTrust) value, "serverTrust");
        } else if (MessageSettings.handles(option)) {
            messages.set(option, value);
        } else {
            return super.setOption(option, value);
        }
        return true;
    }

    ServerTrust serverTrust() {
        return serverTrust;
    }

    MessageSettings messages() {
        return messages;
    }

    @Override
    public boolean isAllowHalfClosure() {
        return allowHalfClosure;
    }

    @Override
    public UnixPipeChannelConfig setAllowHalfClosure(boolean allowHalfClosure) {
        this.allowHalfClosure = allowHalfClosure;
        return this;
    }

    @Override
    public int getReceiveBufferSize() {
        try {
            return socket.getOption(StandardSocketOptions.SO_RCVBUF);
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    @Override
    public UnixPipeChannelConfig setReceiveBufferSize(int receiveBufferSize) {
        try {
            socket.setOption(StandardSocketOptions.SO_RCVBUF, receiveBufferSize);
        } catch (IOException e) {
            throw new ChannelException(e);
        }
        return this;
    }

    @Override
    public int getSendBufferSize() {
        try {
            return socket.getOption(StandardSocketOptions.SO_SNDBUF);
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    @Override
    public UnixPipeChannelConfig setSendBufferSize(int sendBufferSize) {
        try {
            socket.setOption(StandardSocketOptions.SO_SNDBUF, sendBufferSize);
        } catch (IOException e) {
            throw new ChannelException(e);
        }
        calculateMaxBytesPerGatheringWrite();
        return this;
    }

    /** Accepted with no effect: a local socket has no keep-alive probes. */
    @Override
    public boolean isKeepAlive() {
        return keepAlive;
    }

    /** Accepted with no effect: a local socket has no keep-alive probes. */
    @Override
    public UnixPipeChannelConfig setKeepAlive(boolean keepAlive) {
        this.keepAlive = keepAlive;
        return this;
    }

    /** Accepted with no effect: a local socket has no Nagle's algorithm to turn off. */
    @Override
    public boolean isTcpNoDelay() {
        return tcpNoDelay;
    }

    /** Accepted with no effect: a local socket has no Nagle's algorithm to turn off. */
    @Override
    public UnixPipeChannelConfig setTcpNoDelay(boolean tcpNoDelay) {
        this.tcpNoDelay = tcpNoDelay;
        return this;
    }

    @Override
    public int getSoLinger() {
        return -1;
    }

    @Override
    public SocketChannelConfig setSoLinger(int soLinger) {
        throw tcpOnly("SO_LINGER");
    }

    @Override
    public int getTrafficClass() {
        return 0;
    }

    @Override
    public SocketChannelConfig setTrafficClass(int trafficClass) {
        throw tcpOnly("IP_TOS");
    }

    @Override
    public boolean isReuseAddress() {
        return false;
    }

    @Override
    public SocketChannelConfig setReuseAddress(boolean reuseAddress) {
        throw tcpOnly("SO_REUSEADDR");
    }

    @Override
    public SocketChannelConfig setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
        throw tcpOnly("performance preferences");
    }

    private static UnsupportedOperationException tcpOnly(String what) {
        return new UnsupportedOperationException(what + " is a TCP setting; a Unix domain socket has none");
    }

    @Override
    public UnixPipeChannelConfig setConnectTimeoutMillis(int connectTimeoutMillis) {
        super.setConnectTimeoutMillis(connectTimeoutMillis);
        return this;
    }

    @Override
    @Deprecated
    public UnixPipeChannelConfig setMaxMessagesPerRead(int maxMessagesPerRead) {
        super.setMaxMessagesPerRead(maxMessagesPerRead);
        return this;
    }

    @Override
    public UnixPipeChannelConfig setWriteSpinCount(int writeSpinCount) {
        super.setWriteSpinCount(writeSpinCount);
        return this;
    }

    @Override
    public UnixPipeChannelConfig setAllocator(ByteBufAllocator allocator) {
        super.setAllocator(allocator);
        return this;
    }

    @Override
    public UnixPipeChannelConfig setRecvByteBufAllocator(RecvByteBufAllocator allocator) {
        super.setRecvByteBufAllocator(allocator);
        return this;
    }

    @Override
    public UnixPipeChannelConfig setAutoRead(boolean autoRead) {
        super.setAutoRead(autoRead);
        return this;
    }

    @Override
    public UnixPipeChannelConfig setAutoClose(boolean autoClose) {
        super.setAutoClose(autoClose);
        return this;
    }

    @Override
    public UnixPipeChannelConfig setMessageSizeEstimator(MessageSizeEstimator estimator) {
        super.setMessageSizeEstimator(estimator);
        return this;
    }

    @Override
    public UnixPipeChannelConfig setWriteBufferWaterMark(WriteBufferWaterMark writeBufferWaterMark) {
        super.setWriteBufferWaterMark(writeBufferWaterMark);
        return this;
    }

    @Override
    protected void autoReadCleared() {
        ((UnixPipeChannel) channel).autoReadCleared();
    }

    int getMaxBytesPerGatheringWrite() {
        return maxBytesPerGatheringWrite;
    }

    void setMaxBytesPerGatheringWrite(int maxBytesPerGatheringWrite) {
        this.maxBytesPerGatheringWrite = maxBytesPerGatheringWrite;
    }

    /** Twice the send buffer, as Netty's NIO channels do: room in case the system drains it faster than we fill it. */
    private void calculateMaxBytesPerGatheringWrite() {
        int doubled = getSendBufferSize() << 1;
        if (doubled > 0) {
            setMaxBytesPerGatheringWrite(doubled);
        }
    }
}
