package io.pipekit.netty.unix;

import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.ServerChannelRecvByteBufAllocator;
import io.pipekit.core.transport.ServerConfig;
import io.pipekit.netty.NettyPipeAddress;
import io.pipekit.netty.PipeChannelOption;
import io.pipekit.netty.internal.MessageSettings;
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
 * children take, and the pipe options that mean something on Windows only (security descriptor, listening
 * instances, buffer sizes), which are accepted so that one bootstrap serves both OSes, and ignored with one
 * log line when the channel binds.
 */
final class UnixPipeServerChannelConfig extends DefaultChannelConfig {
    private static final System.Logger LOG = System.getLogger("io.pipekit.netty");
    /** Accepted and ignored on Unix: a socket has no listening instances, buffer sizes of its own or SDDL. */
    private static final List<ChannelOption<?>> WINDOWS_ONLY = List.of(PipeChannelOption.SECURITY_DESCRIPTOR,
            PipeChannelOption.LISTENING_INSTANCES, PipeChannelOption.IN_BUFFER_SIZE, PipeChannelOption.OUT_BUFFER_SIZE);

    private final Map<ChannelOption<?>, Object> ignored = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile int backlog = SocketClaim.BACKLOG;
    private volatile Admission admission = Admission.everyone();
    private volatile int maxInstances = ServerConfig.UNLIMITED_INSTANCES;
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
            maxInstances = max;
        } else if (MessageSettings.handles(option)) {
            messages.set(option, value);
        } else if (WINDOWS_ONLY.contains(option)) {
            ignored.put(option, Objects.requireNonNull(value, option.name()));
        } else {
            return super.setOption(option, value);
        }
        return true;
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
