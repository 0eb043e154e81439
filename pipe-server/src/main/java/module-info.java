/**
 * pipekit's server: {@code PipeServer} and the handlers it serves connections with
 * ({@code io.pipekit.server}). The completion-routine loop (Windows), the selector loop (Unix)
 * and the command-line tool are inside.
 */
module io.pipekit.server {
    requires transitive io.pipekit.core;
    // PipeServerSocket.accept() returns the client module's PipeSocket: the two ends of a
    // connection are one kind of socket, as java.net's ServerSocket accepts Sockets.
    requires transitive io.pipekit.client;
    requires com.sun.jna;
    requires com.sun.jna.platform;
    requires static info.picocli; // the command-line tool only: library users need not have it

    exports io.pipekit.server;
    // pipe-netty's channels listen, claim names and check peers with the same code as the server.
    exports io.pipekit.server.internal to io.pipekit.netty;
    exports io.pipekit.server.unix to io.pipekit.netty;
    exports io.pipekit.server.windows to io.pipekit.netty;

    // picocli sets the command's @Option fields reflectively.
    opens io.pipekit.server.cli to info.picocli;
}
