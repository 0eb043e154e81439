package io.pipekit.netty.unix;

import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.ServerChannelRecvByteBufAllocator;
import io.pipekit.core.transport.ServerConfig;
import io.pipekit.netty.NettyPipeAddress;
import io.pipekit.netty.PipeChannelOption;
import io.pipekit.netty.internal.MessageSettings;
import io.pipekit.netty.internal.PipeBuffers;
import io.pipekit.server.Admission;
import io.pipekit.server.unix.SocketClaim;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The options of a {@link UnixPipeServerChannel}: Netty's, {@code SO_BACKLOG} (the listen backlog,
 * by default all the system allows, as pipekit's server), {@link PipeChannelOption#ADMISSION}, and
 * {@link PipeChannelOption#MAX_INSTANCES} (the most clients served at once, as pipekit's server counts
 * them), {@link PipeChannelOption#PIPE_TYPE} and {@link PipeChannelOption#MAX_MESSAGE_SIZE}, which its
 * children take, {@link PipeChannelOption#IN_BUFFER_SIZE} and {@link PipeChannelOption#OUT_BUFFER_SIZE}
 * (also {@code SO_RCVBUF} and {@code SO_SNDBUF}, as on Windows), which become its children's socket
 * buffers, 1 MiB by default as a named pipe's, and the pipe options that mean something on Windows only
 * (security descriptor, listening instances), which are accepted so that one bootstrap serves both OSes,
 * and ignored with one log line when the channel binds.
 */
final class UnixPipeServerChannelConfig extends DefaultChannelConfig {
    private static final System.Logger LOG = System.getLogger("io.pipekit.netty");
    /** Accepted and ignored on Unix: a socket has no listening instances or SDDL. */
    private static final List<ChannelOption<?>> WINDOWS_ONLY = List.of(PipeChannelOption.SECURITY_DESCRIPTOR,
            PipeChannelOption.LISTENING_INSTANCES);

    private final Map<ChannelOption<?>, Object> ignored = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile int backlog = SocketClaim.BACKLOG;
    private volatile Admission admission = Admission.everyone();
    private volatile int maxInstances = ServerConfig.UNLIMITED_INSTANCES;
    private volatile int inBufferSize = PipeBuffers.DEFAULT_SIZE; // the children's SO_RCVBUF
    private volatile int outBufferSize = PipeBuffers.DEFAULT_SIZE; // the children's SO_SNDBUF
    private final MessageSettings messages = new MessageSettings();

    UnixPipeServerChannelConfig(UnixPipeServerChannel channel) {
        super(channel, new ServerChannelRecvByteBufAllocator());
    }

    @Override
    public Map<ChannelOption<?>, Object> getOptions() {
        List<ChannelOption<?>> options = new ArrayList<>(WINDOWS_ONLY);
        options.add(ChannelOption.SO_BACKLOG);
        options.add(PipeChannelOption.ADMISSION);
        options.add(PipeChannelOption.MAX_INSTANCES);
        options.add(PipeChannelOption.PIPE_TYPE);
        options.add(PipeChannelOption.MAX_MESSAGE_SIZE);
        options.add(PipeChannelOption.IN_BUFFER_SIZE);
        options.add(PipeChannelOption.OUT_BUFFER_SIZE);
        options.add(ChannelOption.SO_RCVBUF);
        options.add(ChannelOption.SO_SNDBUF);
        return getOptions(super.getOptions(), options.toArray(new ChannelOption<?>[0]));
    }

    @SuppressWarnings("unchecked")
    @Override
    public <T> T getOption(ChannelOption<T> option) {
        if (option == ChannelOption.SO_BACKLOG) {
            return (T) Integer.valueOf(backlog);
        }
        if (option == PipeChannelOption.ADMISSION) {
            return (T) admission;
        }
        if (option == PipeChannelOption.MAX_INSTANCES) {
            return (T) Integer.valueOf(maxInstances);
        }
        if (option == PipeChannelOption.IN_BUFFER_SIZE || option == ChannelOption.SO_RCVBUF) {
            return (T) Integer.valueOf(inBufferSize);
        }
        if (option == PipeChannelOption.OUT_BUFFER_SIZE || option == ChannelOption.SO_SNDBUF) {
            return (T) Integer.valueOf(outBufferSize);
        }
        if (MessageSettings.handles(option)) {
            return messages.get(option);
        }
        if (WINDOWS_ONLY.contains(option)) {
            return (T) ignored.get(option);
        }
        return super.getOption(option);
    }

    @Override
    public <T> boolean setOption(ChannelOption<T> option, T value) {
        validate(option, value);
        if (option == ChannelOption.SO_BACKLOG) {
            int requested = (Integer) value;
            if (requested < 0) {
                throw new IllegalArgumentException("backlog: " + requested + " (expected: >= 0)");
            }
            backlog = requested == 0 ? SocketClaim.BACKLOG : requested;
        } else if (option == PipeChannelOption.ADMISSION) {
            admission = Objects.requireNonNull((Admission) value, "admission");
        } else if (option == PipeChannelOption.MAX_INSTANCES) {
            int max = (Integer) value;
            if (max < 1 || max > ServerConfig.UNLIMITED_INSTANCES) {
                // As ServerConfig refuses it on Windows, but here, where the mistake is made.
                throw new IllegalArgumentException("maxInstances: " + max + " (expected: 1 to "
                        + ServerConfig.UNLIMITED_INSTANCES + ", which is unlimited)");
            }
            if (channel.isActive() && max != maxInstances) {
                // Windows fixes it with a pipe's first instance; a bound server keeps it on both OSes.
                throw new IllegalStateException("MAX_INSTANCES is fixed once the server is bound: set it before bind");
            }
            maxInstances = max;
        } else if (option == PipeChannelOption.IN_BUFFER_SIZE || option == ChannelOption.SO_RCVBUF) {
            inBufferSize = bufferSize(option, (Integer) value);
        } else if (option == PipeChannelOption.OUT_BUFFER_SIZE || option == ChannelOption.SO_SNDBUF) {
            outBufferSize = bufferSize(option, (Integer) value);
        } else if (MessageSettings.handles(option)) {
            messages.set(option, value);
        } else if (WINDOWS_ONLY.contains(option)) {
            ignored.put(option, Objects.requireNonNull(value, option.name()));
        } else {
            return super.setOption(option, value);
        }
        return true;
    }

    private static int bufferSize(ChannelOption<?> option, int size) {
        if (size < 1) {
            throw new IllegalArgumentException(option.name() + ": " + size + " (expected: > 0)");
        }
        return size;
    }

    /** The {@code SO_RCVBUF} each child asks for. */
    int getInBufferSize() {
        return inBufferSize;
    }

    /** The {@code SO_SNDBUF} each child asks for. */
    int getOutBufferSize() {
        return outBufferSize;
    }

    int getBacklog() {
        return backlog;
    }

    Admission getAdmission() {
        return admission;
    }

    /** Whether a client may be served beside {@code connected} others: {@code MAX_INSTANCES}, as pipekit's server counts it. */
    boolean allowsAnotherInstance(int connected) {
        int max = maxInstances;
        return max == ServerConfig.UNLIMITED_INSTANCES || connected < max;
    }

    /** The pipe type and message limit its children start with. */
    MessageSettings messages() {
        return messages;
    }

    /** Says once, as the channel binds, which of the options it was given have no effect on a Unix socket. */
    void warnIgnoredOptions(NettyPipeAddress address) {
        if (!ignored.isEmpty()) {
            LOG.log(Level.WARNING, "on Unix, " + ignored.keySet().stream().map(o -> o.name().substring(o.name().lastIndexOf('#') + 1)).sorted().toList()
                    + " have no effect (" + address + "): the socket's directory and file are owner-only and clients"
                    + " of other users are refused");
        }
    }

    @Override
    protected void autoReadCleared() {
        ((UnixPipeServerChannel) channel).autoReadCleared();
    }
}
