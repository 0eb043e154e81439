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

    // picocli sets the command's @Option fields reflectively.
    opens io.pipekit.server.cli to info.picocli;
}
