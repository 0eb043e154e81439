/**
 * pipekit's client: {@code PipeClient}, with its streams and channels ({@code io.pipekit.client}).
 * The transports and the command-line tool are inside.
 */
module io.pipekit.client {
    requires transitive io.pipekit.core;
    requires com.sun.jna;
    requires com.sun.jna.platform;
    requires static info.picocli; // the command-line tool only: library users need not have it
    // `pipe-client http` only (the runnable jar holds them): library users need not have them.
    requires static org.apache.httpcomponents.client5.httpclient5;
    requires static org.apache.httpcomponents.core5.httpcore5;

    exports io.pipekit.client;
    // The server socket (pipe-server) makes the PipeSockets it accepts through AcceptedSockets.
    exports io.pipekit.client.internal to io.pipekit.server, io.pipekit.netty;

    // picocli sets the commands' @Option fields reflectively.
    opens io.pipekit.client.cli to info.picocli;
}
