package io.pipekit.netty.windows;

import static io.netty.channel.ChannelOption.SO_BACKLOG;
import static io.netty.channel.ChannelOption.SO_RCVBUF;
import static io.netty.channel.ChannelOption.SO_SNDBUF;

import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelConfig;
import io.pipekit.core.PipeName;
import io.pipekit.core.transport.ServerConfig;
import io.pipekit.netty.PipeChannelOption;
import io.pipekit.netty.internal.MessageSettings;
import io.pipekit.netty.internal.PipeBuffers;
import io.pipekit.server.Admission;
import java.time.Duration;
import java.util.Map;

/**
 * A named-pipe server's options, with {@code PipeServer.Builder}'s defaults but for the buffers: unlimited instances,
 * 4 listening (within the maximum), 1 MiB pipe buffers (PipeServer's are 4 KiB), pipekit's security descriptor (the current
 * user and SYSTEM), every client admitted, byte-type. {@code SO_BACKLOG} is {@link PipeChannelOption#LISTENING_INSTANCES},
 * {@code SO_RCVBUF}/{@code SO_SNDBUF} are {@link PipeChannelOption#IN_BUFFER_SIZE}/{@link PipeChannelOption#OUT_BUFFER_SIZE}.
 * Options set after bind apply to instances made from then on, except the ones the name was
 * claimed with.
 */
final class NamedPipeServerChannelConfig extends DefaultChannelConfig {
    private volatile int maxInstances = ServerConfig.UNLIMITED_INSTANCES;
    private volatile Integer listeningInstances; // null: the backlog's, else 4, within maxInstances, as PipeServer
    private volatile Integer backlog; // SO_BACKLOG: a hint, so capped rather than refused
    // Not PipeServer's 4 KiB: a stream's writes come in tens of KiB, and each waited for the reader
    // in a 4 KiB pipe; 1 MiB is grpc-java's initial HTTP/2 window (see PipeChannelOption.IN_BUFFER_SIZE).
    private volatile int inBufferSize = PipeBuffers.DEFAULT_SIZE;
    private volatile int outBufferSize = PipeBuffers.DEFAULT_SIZE;
    private volatile String securityDescriptor;
    private volatile Admission admission = Admission.everyone();
    private final MessageSettings messages = new MessageSettings();

    NamedPipeServerChannelConfig(NamedPipeServerChannel channel) {
        super(channel);
    }

    Admission admission() {
        return admission;
    }

    /** The pipe type its instances are made with and its children read, and their message limit. */
    MessageSettings messages() {
        return messages;
    }

    /** The server configuration for {@code name}, validated as {@code PipeServer.Builder} validates it. */
    ServerConfig serverConfig(PipeName name) {
        int listening = listening();
        return new ServerConfig(name, maxInstances, listening, inBufferSize, outBufferSize, Duration.ofSeconds(5),
                securityDescriptor, messages.maxMessageSize(), messages.type());
    }

    /**
     * The instances kept listening: {@code LISTENING_INSTANCES} as given (validated against the
     * maximum); else {@code SO_BACKLOG}, which code written for sockets sets to numbers like 1024,
     * capped at {@value #MAX_BACKLOG_INSTANCES} and at the maximum; else 4 within the maximum.
     */
    private int listening() {
        if (listeningInstances != null) {
            return listeningInstances;
        }
        if (backlog != null) {
            return Math.max(1, Math.min(backlog, Math.min(MAX_BACKLOG_INSTANCES, maxInstances)));
        }
        return Math.min(4, maxInstances);
    }

    /** The most listening instances an {@code SO_BACKLOG} makes: each is a kernel object and an {@code OVERLAPPED}. */
    static final int MAX_BACKLOG_INSTANCES = 64;

    @Override
    public Map<ChannelOption<?>, Object> getOptions() {
        return getOptions(super.getOptions(), SO_BACKLOG, SO_RCVBUF, SO_SNDBUF, PipeChannelOption.MAX_INSTANCES,
                PipeChannelOption.LISTENING_INSTANCES, PipeChannelOption.IN_BUFFER_SIZE, PipeChannelOption.OUT_BUFFER_SIZE,
                PipeChannelOption.SECURITY_DESCRIPTOR, PipeChannelOption.ADMISSION, PipeChannelOption.PIPE_TYPE,
                PipeChannelOption.MAX_MESSAGE_SIZE);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(ChannelOption<T> option) {
        if (option == SO_BACKLOG || option == PipeChannelOption.LISTENING_INSTANCES) {
            return (T) Integer.valueOf(listening());
        }
        if (option == PipeChannelOption.MAX_INSTANCES) {
            return (T) Integer.valueOf(maxInstances);
        }
        if (option == SO_RCVBUF || option == PipeChannelOption.IN_BUFFER_SIZE) {
            return (T) Integer.valueOf(inBufferSize);
        }
        if (option == SO_SNDBUF || option == PipeChannelOption.OUT_BUFFER_SIZE) {
            return (T) Integer.valueOf(outBufferSize);
        }
        if (option == PipeChannelOption.SECURITY_DESCRIPTOR) {
            return (T) securityDescriptor;
        }
        if (option == PipeChannelOption.ADMISSION) {
            return (T) admission;
        }
        if (MessageSettings.handles(option)) {
            return messages.get(option);
        }
        return super.getOption(option);
    }

    @Override
    public <T> boolean setOption(ChannelOption<T> option, T value) {
        validate(option, value);
        if (option == SO_BACKLOG) {
            backlog = (Integer) value;
        } else if (option == PipeChannelOption.LISTENING_INSTANCES) {
            listeningInstances = (Integer) value;
        } else if (option == PipeChannelOption.MAX_INSTANCES) {
            if (channel.isActive() && (Integer) value != maxInstances) {
                // Windows fixes it with a pipe's first instance; a bound server keeps it on both OSes.
                throw new IllegalStateException("MAX_INSTANCES is fixed once the server is bound: set it before bind");
            }
            maxInstances = (Integer) value;
        } else if (option == SO_RCVBUF || option == PipeChannelOption.IN_BUFFER_SIZE) {
            inBufferSize = (Integer) value;
        } else if (option == SO_SNDBUF || option == PipeChannelOption.OUT_BUFFER_SIZE) {
            outBufferSize = (Integer) value;
        } else if (option == PipeChannelOption.SECURITY_DESCRIPTOR) {
            securityDescriptor = (String) value;
        } else if (option == PipeChannelOption.ADMISSION) {
            admission = (Admission) value;
        } else if (MessageSettings.handles(option)) {
            messages.set(option, value);
        } else {
            return super.setOption(option, value);
        }
        return true;
    }
}
