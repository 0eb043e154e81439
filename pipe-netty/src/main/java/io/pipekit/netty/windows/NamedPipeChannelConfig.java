package io.pipekit.netty.windows;

import static io.netty.channel.ChannelOption.SO_KEEPALIVE;
import static io.netty.channel.ChannelOption.SO_RCVBUF;
import static io.netty.channel.ChannelOption.SO_SNDBUF;
import static io.netty.channel.ChannelOption.TCP_NODELAY;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.pipekit.core.ServerTrust;
import io.pipekit.netty.PipeChannelOption;
import io.pipekit.netty.internal.MessageSettings;
import java.util.Map;

/**
 * A named-pipe connection's options: Netty's own, plus {@link PipeChannelOption#SERVER_TRUST} for
 * a client (pipekit's default: a server of this user or of SYSTEM). {@code SO_KEEPALIVE} and
 * {@code TCP_NODELAY} are accepted and have no effect (gRPC sets {@code SO_KEEPALIVE} on every
 * channel; a pipe has neither). {@code SO_RCVBUF}/{@code SO_SNDBUF} are remembered only: a pipe's
 * buffers are the server's, fixed when it made the instance. {@link PipeChannelOption#PIPE_TYPE}
 * is a client's to choose before it connects; an accepted channel has its server's.
 */
final class NamedPipeChannelConfig extends DefaultChannelConfig {
    private volatile ServerTrust serverTrust = ServerTrust.currentUserOrSystem();
    private volatile boolean keepAlive;
    private volatile boolean noDelay = true;
    private volatile int receiveBufferSize = 4096;
    private volatile int sendBufferSize = 4096;
    private final MessageSettings messages = new MessageSettings();
    private final RecvByteBufAllocator ownReads; // the allocator DefaultChannelConfig made for this channel

    NamedPipeChannelConfig(Channel channel) {
        super(channel);
        ownReads = getRecvByteBufAllocator();
    }

    /**
     * Whether reads of bytes already in the pipe are sized to them (the channel's own
     * {@code RCVBUF_ALLOCATOR}), or to the guess of an allocator the user set.
     */
    boolean readsSizedToPipe() {
        return getRecvByteBufAllocator() == ownReads;
    }

    ServerTrust serverTrust() {
        return serverTrust;
    }

    MessageSettings messages() {
        return messages;
    }

    @Override
    public Map<ChannelOption<?>, Object> getOptions() {
        return getOptions(super.getOptions(), PipeChannelOption.SERVER_TRUST, SO_KEEPALIVE, TCP_NODELAY, SO_RCVBUF, SO_SNDBUF,
                PipeChannelOption.PIPE_TYPE, PipeChannelOption.MAX_MESSAGE_SIZE);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(ChannelOption<T> option) {
        if (option == PipeChannelOption.SERVER_TRUST) {
            return (T) serverTrust;
        }
        if (option == SO_KEEPALIVE) {
            return (T) Boolean.valueOf(keepAlive);
        }
        if (option == TCP_NODELAY) {
            return (T) Boolean.valueOf(noDelay);
        }
        if (option == SO_RCVBUF) {
            return (T) Integer.valueOf(receiveBufferSize);
        }
        if (option == SO_SNDBUF) {
            return (T) Integer.valueOf(sendBufferSize);
        }
        if (MessageSettings.handles(option)) {
            return messages.get(option);
        }
        return super.getOption(option);
    }

    @Override
    public <T> boolean setOption(ChannelOption<T> option, T value) {
        validate(option, value);
        if (option == PipeChannelOption.SERVER_TRUST) {
            serverTrust = (ServerTrust) value;
        } else if (option == SO_KEEPALIVE) {
            keepAlive = (Boolean) value;
        } else if (option == TCP_NODELAY) {
            noDelay = (Boolean) value;
        } else if (option == SO_RCVBUF) {
            receiveBufferSize = (Integer) value;
        } else if (option == SO_SNDBUF) {
            sendBufferSize = (Integer) value;
        } else if (MessageSettings.handles(option)) {
            messages.set(option, value);
        } else {
            return super.setOption(option, value);
        }
        return true;
    }
}
