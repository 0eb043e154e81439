/**
 * pipekit's Netty transport: Netty channels over Windows named pipes, whose event loop is pipekit's
 * completion-routine loop, and over Unix domain sockets, with pipekit's names, secure defaults,
 * identity and admission. See docs/netty.md.
 */
module io.pipekit.netty {
    requires transitive io.pipekit.server;
    requires transitive io.netty.transport;
    requires transitive io.netty.buffer;
    requires transitive io.netty.common;
    requires com.sun.jna;
    requires com.sun.jna.platform;

    exports io.pipekit.netty;
    // Netty's bootstraps make channels reflectively (ReflectiveChannelFactory) from the classes
    // PipeNetty hands out: their package stays unexported, and open to Netty alone.
    opens io.pipekit.netty.unix to io.netty.transport;
}
