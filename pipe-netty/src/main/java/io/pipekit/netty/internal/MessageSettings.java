package io.pipekit.netty.internal;

import io.netty.channel.ChannelOption;
import io.pipekit.core.PipeType;
import io.pipekit.netty.PipeChannelOption;
import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A channel's {@link PipeChannelOption#PIPE_TYPE} and {@link PipeChannelOption#MAX_MESSAGE_SIZE},
 * for the configs of both transports. The type is fixed once it has taken effect (a server bound,
 * a client connected): from then on a different one is refused rather than ignored, since the
 * pipe, or the framing under way, would not follow it. An accepted channel has its server's type:
 * a different one from {@code childOption} is ignored with one warning per server (refused, Netty
 * would close every child it was set on).
 */
public final class MessageSettings {
    private static final System.Logger LOG = System.getLogger("io.pipekit.netty");
    /** The longest message accepted by default: {@code PipeServer}'s and {@code PipeClient}'s default. */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 16 * 1024 * 1024;

    private volatile PipeType type = PipeType.BYTE;
    private volatile int maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;
    private volatile String fixedBecause; // why the type can no longer change, once it cannot
    private MessageSettings server; // an accepted channel's: whose type it has
    private final AtomicBoolean childTypeIgnored = new AtomicBoolean(); // a server's: warned of it once

    /** The pipe type. */
    public PipeType type() {
        return type;
    }

    /** Whether the pipe carries messages. */
    public boolean messages() {
        return type == PipeType.MESSAGE;
    }

    /** The longest message accepted, in bytes. */
    public int maxMessageSize() {
        return maxMessageSize;
    }

    /** A server's child: its server's type, for good, and its server's limit, which the child may still change. */
    public void inherit(MessageSettings server) {
        this.server = server;
        type = server.type;
        maxMessageSize = server.maxMessageSize;
    }

    /** From now on the type stays what it is; {@code why} says so to whoever tries to change it. */
    public void fix(String why) {
        fixedBecause = why;
    }

    /** Whether {@code option} is one of these. */
    public static boolean handles(ChannelOption<?> option) {
        return option == PipeChannelOption.PIPE_TYPE || option == PipeChannelOption.MAX_MESSAGE_SIZE;
    }

    /** The value of {@code option}, one of {@link #handles these}. */
    @SuppressWarnings("unchecked")
    public <T> T get(ChannelOption<T> option) {
        return (T) (option == PipeChannelOption.PIPE_TYPE ? type : Integer.valueOf(maxMessageSize));
    }

    /**
     * Sets {@code option}, one of {@link #handles these}.
     *
     * @throws IllegalStateException if the type is fixed and {@code value} is another
     * @throws IllegalArgumentException if a message size is not positive
     */
    public <T> void set(ChannelOption<T> option, T value) {
        if (option == PipeChannelOption.PIPE_TYPE) {
            PipeType requested = Objects.requireNonNull((PipeType) value, "pipeType");
            if (server != null) {
                if (requested != type && server.childTypeIgnored.compareAndSet(false, true)) {
                    LOG.log(Level.WARNING, "PIPE_TYPE " + requested + " ignored on the accepted channels: they have their server's "
                            + "type, " + type + " (set PIPE_TYPE with the server bootstrap's option(), not childOption())");
                }
                return;
            }
            String fixed = fixedBecause;
            if (fixed != null && requested != type) {
                throw new IllegalStateException("PIPE_TYPE stays " + type + ": " + fixed);
            }
            type = requested;
        } else {
            int bytes = (Integer) value;
            if (bytes < 1) {
                throw new IllegalArgumentException("MAX_MESSAGE_SIZE must be positive, got " + bytes);
            }
            maxMessageSize = bytes;
        }
    }
}
