package io.pipekit.netty.internal;

/**
 * The kernel buffers pipe-netty asks for, the same on both OSes: on Windows a server's pipe
 * buffers ({@code nInBufferSize}/{@code nOutBufferSize}), on Unix each socket's {@code SO_RCVBUF}
 * and {@code SO_SNDBUF}.
 */
public final class PipeBuffers {
    /**
     * 1 MiB, grpc-java's initial HTTP/2 flow-control window: a stream then rarely waits for the
     * kernel before it waits for the window. With the kernels' defaults (a 4 KiB pipe as
     * {@code PipeServer} makes it, 208 KiB for a Linux socket) a stream's writes waited for the
     * reader (docs/netty.md, the options table, has the measurements).
     */
    public static final int DEFAULT_SIZE = 1024 * 1024;

    private PipeBuffers() {
    }
}
