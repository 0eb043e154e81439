package io.pipekit.netty;

import io.netty.channel.ChannelOption;
import io.pipekit.core.ServerTrust;
import io.pipekit.server.Admission;

/**
 * The pipe's own options, beside Netty's: set them on a bootstrap with {@code option(...)}
 * ({@code withOption} in gRPC's {@code NettyServerBuilder}) or {@code childOption(...)}.
 *
 * <p>Each means what the {@code PipeServer.Builder} or {@code PipeClient.Builder} method of that
 * name means, with the same defaults: a server left alone is reachable by the current user and
 * SYSTEM only, refuses remote clients and holds its name against other processes; a client left
 * alone trusts a server run by the same user or by SYSTEM. An option that does not apply to the
 * transport (a security descriptor or instance count on a Unix socket) is accepted and ignored,
 * and docs/netty.md says which.
 *
 * @param <T> the option's value type
 */
public final class PipeChannelOption<T> extends ChannelOption<T> {

    /** Server: who may connect, in SDDL (Windows); {@code PipeServer.Builder.securityDescriptor}. */
    public static final ChannelOption<String> SECURITY_DESCRIPTOR = valueOf(PipeChannelOption.class, "SECURITY_DESCRIPTOR");

    /**
     * Server, Windows: at most this many pipe instances, so connections, at once; {@code maxInstances}.
     * On Unix sockets it is accepted and ignored (docs/netty.md): pipe-netty does not cap connections there.
     */
    public static final ChannelOption<Integer> MAX_INSTANCES = valueOf(PipeChannelOption.class, "MAX_INSTANCES");

    /** Server: instances kept listening (Windows), the pipe's backlog; {@code listeningInstances}. */
    public static final ChannelOption<Integer> LISTENING_INSTANCES = valueOf(PipeChannelOption.class, "LISTENING_INSTANCES");

    /** Server: the pipe's input buffer size in bytes (Windows); {@code inBufferSize}. */
    public static final ChannelOption<Integer> IN_BUFFER_SIZE = valueOf(PipeChannelOption.class, "IN_BUFFER_SIZE");

    /** Server: the pipe's output buffer size in bytes (Windows); {@code outBufferSize}. */
    public static final ChannelOption<Integer> OUT_BUFFER_SIZE = valueOf(PipeChannelOption.class, "OUT_BUFFER_SIZE");

    /**
     * Server: which clients are served, decided on their identity before a child channel exists; a
     * refused client never reaches a pipeline. {@code PipeServer.Builder.admission}.
     */
    public static final ChannelOption<Admission> ADMISSION = valueOf(PipeChannelOption.class, "ADMISSION");

    /** Client: which servers it talks to, checked before the connect completes; {@code PipeClient.Builder.serverTrust}. */
    public static final ChannelOption<ServerTrust> SERVER_TRUST = valueOf(PipeChannelOption.class, "SERVER_TRUST");

    @SuppressWarnings("deprecation") // Netty's own option classes subclass the same way; constants use valueOf
    private PipeChannelOption() {
        super(null);
    }
}
