package io.pipekit.server.cli;

import io.pipekit.core.LengthPrefixFraming;
import io.pipekit.core.MessageCodec;
import io.pipekit.core.MessageCodecs;
import io.pipekit.core.PipeType;
import io.pipekit.server.FramedRequests;
import io.pipekit.server.PipeServer;
import io.pipekit.server.RequestHandler;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar pipe-server.jar}: the documented sample server as a command. It serves
 * {@code mynamedpipe}, logs each request as {@code [connection] request} and answers
 * {@code Default answer from server}, or echoes with {@code --echo}, or tells the client who it
 * is with {@code --whoami}, until stopped (Ctrl-C).
 * With {@code --mode byte} it serves a byte-type pipe: with {@code --raw} a stream echo, else
 * the same answers in length-prefixed frames ({@code --frame}).
 */
@Command(name = "pipe-server", mixinStandardHelpOptions = true, version = "pipe-server 0.1.0",
        description = "Serves a message-type named pipe on one thread, as Microsoft's completion-routine sample does.",
        sortOptions = false)
public final class ServerCommand implements Callable<Integer> {
    /** The sample's answer to every request. */
    public static final String DEFAULT_ANSWER = "Default answer from server";

    @Option(names = {"-n", "--name"}, defaultValue = "mynamedpipe", paramLabel = "NAME",
            description = "Pipe name, bare or as \\\\.\\pipe\\NAME (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--echo", description = "Answer each request with itself instead of \"" + DEFAULT_ANSWER + "\".")
    boolean echo;

    @Option(names = "--whoami", description = "Answer each request with the client's identity as one line, "
            + "pid=<n> user=<name> sid=<S-1-...>|uid=<n> elevated=<yes|no|unknown>, in the request's encoding.")
    boolean whoami;

    @Option(names = {"-q", "--quiet"}, description = "Do not log each request (for benchmarks).")
    boolean quiet;

    @Option(names = "--raw", description = "Echo each request byte for byte, without decoding or logging it (for benchmarks).")
    boolean raw;

    @Option(names = {"-e", "--encoding"}, defaultValue = "utf-16le", paramLabel = "ENCODING",
            description = "Text encoding of messages: utf-16le (the sample's, NUL-terminated) or utf-8 (default: ${DEFAULT-VALUE}).")
    String encoding;

    @Option(names = "--listening", paramLabel = "N",
            description = "Instances listening for clients at once (default: 4, or --max-instances if that is fewer).")
    Integer listening; // null: the builder's default, which yields to --max-instances

    @Option(names = "--max-instances", defaultValue = "255", paramLabel = "N",
            description = "Most instances at once, connected or listening: 1-254, or 255 for no limit (default: ${DEFAULT-VALUE}).")
    int maxInstances;

    @Option(names = "--broadcast",
            description = "Relay every message to every other connected client, byte for byte, and answer nothing.")
    boolean broadcast;

    @Option(names = "--mode", defaultValue = "message", paramLabel = "TYPE",
            description = "Pipe type: message (as the sample) or byte (a stream; default: ${DEFAULT-VALUE}).")
    PipeType mode;

    @Option(names = "--frame", defaultValue = "u32be", paramLabel = "PREFIX",
            description = "With --mode byte and without --raw: requests and answers are frames with a 4-byte length prefix, "
                    + "u32be (big-endian, as the OpenSSH agent) or u32le (default: ${DEFAULT-VALUE}).")
    String frame;

    @Option(names = {"-v", "--verbose"}, description = "Print stack traces with errors.")
    boolean verbose;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command with pipekit's error handling: one line per error, stack traces only with --verbose. */
    static CommandLine commandLine() {
        CommandLine line = new CommandLine(new ServerCommand()).setCaseInsensitiveEnumValuesAllowed(true);
        line.setExecutionExceptionHandler((e, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            if (((ServerCommand) cmd.getCommand()).verbose) {
                e.printStackTrace(err);
            } else {
                err.println("pipe-server: " + e.getMessage());
            }
            err.flush();
            return 1;
        });
        return line;
    }

    private static LengthPrefixFraming framing(String prefix) {
        return switch (prefix.toLowerCase(java.util.Locale.ROOT)) {
            case "u32be" -> LengthPrefixFraming.u32be(16 * 1024 * 1024);
            case "u32le" -> LengthPrefixFraming.u32le(16 * 1024 * 1024);
            default -> throw new IllegalArgumentException("--frame is u32be or u32le, not " + prefix);
        };
    }

    @Override
    public Integer call() throws Exception {
        PipeServer server = configure().start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "pipe-server shutdown"));
        PrintWriter out = new CommandLine(this).getOut();
        out.println("pipe-server: serving " + server.endpoint() + " (Ctrl-C to stop)");
        out.flush();
        server.awaitTermination();
        return 0;
    }

    /** The server these options describe, configured and not yet started. */
    PipeServer.Builder configure() {
        if (whoami && (echo || raw || broadcast)) {
            throw new IllegalArgumentException("--whoami answers requests itself: not with --echo, --raw or --broadcast");
        }
        MessageCodec<String> codec = MessageCodecs.text(encoding);
        PrintWriter out = new CommandLine(this).getOut();
        RequestHandler handler = raw ? (client, request) -> request : RequestHandler.using(codec, (client, request) -> {
            if (!quiet) {
                out.println("[" + client.id() + "] " + request);
                out.flush();
            }
            return whoami ? client.peer().describe() : echo ? request : DEFAULT_ANSWER;
        });
        PipeServer.Builder builder = PipeServer.builder(name)
                .maxInstances(maxInstances)
                .pipeType(mode);
        if (listening != null) {
            builder.listeningInstances(listening);
        }
        if (broadcast) {
            builder.connectionHandler(new Broadcast());
        } else if (mode == PipeType.BYTE && raw) {
            // A stream has no requests to answer: the bytes are echoed as they come, and the client's
            // writes wait while the echo waits for it to read.
            builder.streamHandler((connection, in, streamOut) -> in.transferTo(streamOut));
        } else if (mode == PipeType.BYTE) {
            // A stream has no message boundaries: requests and answers travel as length-prefixed frames.
            builder.connectionHandler(FramedRequests.answering(framing(frame), handler));
        } else {
            builder.handler(handler);
        }
        return builder;
    }
}
