package io.pipekit.netty;

import io.netty.channel.ChannelOption;
import io.pipekit.core.PipeType;
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
     * Server: at most this many connections at once, 1 to 255 (unlimited, the default); {@code maxInstances}.
     * Beyond it a client finds the pipe busy and waits, up to its connect timeout: on Windows the pipe's
     * instances are all taken; on Unix the server stops listening until a connection closes, as
     * pipekit's own server does (docs/netty.md). Set before bind: a bound server keeps it
     * ({@code IllegalStateException}), as Windows fixes it with a pipe's first instance.
     */
    public static final ChannelOption<Integer> MAX_INSTANCES = valueOf(PipeChannelOption.class, "MAX_INSTANCES");

    /** Server: instances kept listening (Windows), the pipe's backlog; {@code listeningInstances}. */
    public static final ChannelOption<Integer> LISTENING_INSTANCES = valueOf(PipeChannelOption.class, "LISTENING_INSTANCES");

    /**
     * Server: the pipe's input buffer size in bytes; {@code inBufferSize} on Windows, each
     * child's {@code SO_RCVBUF} on Unix. 1 MiB by default (pipekit's {@code PipeServer} keeps the
     * sample's 4 KiB): a pipe holds no more than its buffer before a write waits for the reader,
     * and a stream's writes come in tens of KiB. 1 MiB lets a gRPC stream send as far ahead as
     * grpc-java's initial HTTP/2 flow-control window (1 MiB) without waiting for the pipe.
     * Windows charges pipe buffers to the nonpaged pool quota: a peer that does not read can hold
     * up to this much kernel memory per instance and direction, beside what Netty's write-buffer
     * water marks hold in the heap. Servers of many untrusted clients may want less.
     *
     * <p>On Unix what a stream socket holds is bounded by the writer's {@code SO_SNDBUF} (Linux
     * does not use the reader's {@code SO_RCVBUF} for it): what a client uploads waits in its own
     * socket, and this option only sets the child's {@code SO_RCVBUF}. The kernel may adjust
     * either (Linux doubles a request, after capping it at {@code net.core.rmem_max}/{@code
     * wmem_max}); a size it refuses leaves its default.
     */
    public static final ChannelOption<Integer> IN_BUFFER_SIZE = valueOf(PipeChannelOption.class, "IN_BUFFER_SIZE");

    /**
     * Server: the pipe's output buffer size in bytes; {@code outBufferSize} on Windows, each
     * child's {@code SO_SNDBUF} on Unix, which bounds what the socket holds towards the client
     * (on Linux twice what is asked, the kernel's bookkeeping included): kernel memory a client
     * that does not read can hold. 1 MiB by default, as {@link #IN_BUFFER_SIZE}.
     */
    public static final ChannelOption<Integer> OUT_BUFFER_SIZE = valueOf(PipeChannelOption.class, "OUT_BUFFER_SIZE");

    /**
     * Server: which clients are served, decided on their identity before a child channel exists; a
     * refused client never reaches a pipeline. {@code PipeServer.Builder.admission}.
     */
    public static final ChannelOption<Admission> ADMISSION = valueOf(PipeChannelOption.class, "ADMISSION");

    /**
     * Server and client: whether the pipe carries a stream of bytes ({@link PipeType#BYTE}, the
     * default) or whole messages ({@link PipeType#MESSAGE}, what pipekit's {@code PipeServer} and
     * {@code PipeClient} use by default); {@code PipeServer.Builder.pipeType}. A server's children
     * have its type; a client sets it before it connects. In {@code MESSAGE} mode each outbound
     * {@code ByteBuf} is one message (never split or joined; a {@code FileRegion} is refused) and
     * each inbound message is one {@code channelRead} {@code ByteBuf}, an empty one for an empty
     * message. On Windows that is the named pipe's own type and read mode ({@code PIPE_TYPE_MESSAGE},
     * {@code PIPE_READMODE_MESSAGE}; a {@code MESSAGE} client refuses a byte-type pipe); on a Unix
     * socket it is pipekit's length-prefixed framing, as {@code PipeServer} and {@code PipeClient}
     * frame messages there (docs/protocol.md).
     */
    public static final ChannelOption<PipeType> PIPE_TYPE = valueOf(PipeChannelOption.class, "PIPE_TYPE");

    /**
     * Server and client, {@link PipeType#MESSAGE} only: the longest message accepted, in bytes
     * (default 16 MiB, as {@code PipeServer.Builder.maxMessageSize} and
     * {@code PipeClient.Builder.maxMessageSize}); a server's children start with the server's. A
     * longer one is refused before it is read whole: the channel fires a
     * {@link io.pipekit.core.MessageTooLargeException} and closes.
     */
    public static final ChannelOption<Integer> MAX_MESSAGE_SIZE = valueOf(PipeChannelOption.class, "MAX_MESSAGE_SIZE");

    /** Client: which servers it talks to, checked before the connect completes; {@code PipeClient.Builder.serverTrust}. */
    public static final ChannelOption<ServerTrust> SERVER_TRUST = valueOf(PipeChannelOption.class, "SERVER_TRUST");

    @SuppressWarnings("deprecation") // Netty's own option classes subclass the same way; constants use valueOf
    private PipeChannelOption() {
        super(null);
    }
}
