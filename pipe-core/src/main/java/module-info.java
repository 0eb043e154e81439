/**
 * pipekit's core: pipe names, the exceptions, message codecs and framing, peer identity and
 * server trust ({@code io.pipekit.core}). The transport seam and the native glue are shared with
 * pipekit's server and client modules only.
 */
module io.pipekit.core {
    requires com.sun.jna;
    requires com.sun.jna.platform;
    requires jdk.net; // SO_PEERCRED, a Unix socket peer's user

    exports io.pipekit.core;

    exports io.pipekit.core.transport to io.pipekit.server, io.pipekit.client, io.pipekit.netty;
    exports io.pipekit.core.unix to io.pipekit.server, io.pipekit.client, io.pipekit.netty;
    exports io.pipekit.core.windows to io.pipekit.server, io.pipekit.client, io.pipekit.netty;

    // JNA implements the binding interfaces (Kernel32Ex, Advapi32Ex, LibC) with proxies and may
    // call a callback interface's method (Kernel32Direct's completion routines) reflectively:
    // it must reach these packages' types. pipekit declares no Structure subclass of its own; the
    // structures it passes are jna-platform's, in a module open to JNA already.
    opens io.pipekit.core.windows to com.sun.jna;
    opens io.pipekit.core.unix to com.sun.jna;
}
