package io.pipekit.client.cli;

import io.pipekit.client.PipeClient;
import io.pipekit.core.MessageCodec;
import io.pipekit.core.MessageCodecs;
import io.pipekit.core.PipeTimeoutException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code java -jar pipe-client.jar [message]}: the documented sample's client as a command.
 * It connects to {@code mynamedpipe} (waiting while the pipe is busy or not there yet), sends
 * one message, by default {@code Default message from client.}, and prints the reply. On a
 * byte-type pipe the message and the reply travel as length-prefixed frames ({@code --frame}).
 */
@Command(name = "pipe-client", mixinStandardHelpOptions = true, version = "pipe-client 0.1.0",
        description = "Sends one message to a named pipe and prints the reply (on a byte-type pipe, as length-prefixed frames).",
        sortOptions = false, subcommands = {BenchCommand.class, ListenCommand.class, SendCommand.class, RelayCommand.class, HttpCommand.class})
public final class ClientCommand implements Callable<Integer> {
    /** The sample client's message. */
    public static final String DEFAULT_MESSAGE = "Default message from client.";

    @Parameters(index = "0", arity = "0..1", defaultValue = DEFAULT_MESSAGE, paramLabel = "MESSAGE",
            description = "The message to send (default: \"${DEFAULT-VALUE}\").")
    String message;

    @Option(names = {"-n", "--name"}, scope = CommandLine.ScopeType.INHERIT, defaultValue = "mynamedpipe", paramLabel = "NAME",
            description = "Pipe name, bare or as \\\\.\\pipe\\NAME (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = {"-e", "--encoding"}, scope = CommandLine.ScopeType.INHERIT, defaultValue = "utf-16le", paramLabel = "ENCODING",
            description = "Text encoding of messages: utf-16le (the sample's, NUL-terminated) or utf-8 (default: ${DEFAULT-VALUE}).")
    String encoding;

    @Option(names = {"-t", "--timeout"}, scope = CommandLine.ScopeType.INHERIT, defaultValue = "5s", paramLabel = "TIME", converter = DurationConverter.class,
            description = "How long to wait for the pipe while it is busy or absent: 500ms, 5s, 1m (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    // A default, so that the command never hangs on a server that accepts and never answers (or
    // never reads); 30 s is far beyond any answer the sample's protocol expects, and short enough
    // for a script. It covers the whole exchange once connected: the send and the reply.
    @Option(names = "--reply-timeout", defaultValue = "30s", paramLabel = "TIME", converter = DurationConverter.class,
            description = "How long the exchange may take once connected: sending the message and receiving the reply "
                    + "(default: ${DEFAULT-VALUE}).")
    Duration replyTimeout;

    @Option(names = "--frame", scope = CommandLine.ScopeType.INHERIT, defaultValue = "u32be", paramLabel = "PREFIX",
            description = "On a byte-type pipe, which keeps no message boundaries, messages travel as frames with a 4-byte "
                    + "length prefix, as pipe-server --mode byte answers them: u32be or u32le (default: ${DEFAULT-VALUE}).")
    String frame;

    @Option(names = {"-v", "--verbose"}, scope = CommandLine.ScopeType.INHERIT, description = "Print stack traces with errors.")
    boolean verbose;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command with pipekit's error handling: one line per error, stack traces only with --verbose. */
    static CommandLine commandLine() {
        CommandLine line = new CommandLine(new ClientCommand());
        // An argument that starts with @ is the argument itself (a message, `http -d @FILE`), never
        // picocli's file of arguments.
        line.setExpandAtFiles(false);
        line.setExecutionExceptionHandler((e, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            Object command = cmd.getCommand();
            boolean verbose = command instanceof ClientCommand client ? client.verbose
                    : command instanceof BenchCommand bench ? bench.parent.verbose
                    : command instanceof ListenCommand listen ? listen.parent.verbose
                    : command instanceof SendCommand send ? send.parent.verbose
                    : command instanceof RelayCommand relay ? relay.parent.verbose
                    : command instanceof HttpCommand http && http.parent.verbose;
            if (verbose) {
                e.printStackTrace(err);
            } else {
                err.println("pipe-client: " + e.getMessage());
            }
            err.flush();
            return 1;
        });
        return line;
    }

    @Override
    public Integer call() throws Exception {
        MessageCodec<String> codec = MessageCodecs.text(encoding);
        // The receive timeout bounds a byte-type pipe's reply, read from the stream (Messages).
        try (PipeClient client = PipeClient.builder(name).connectTimeout(timeout).receiveTimeout(replyTimeout).connect()) {
            Messages messages = new Messages(client, frame);
            long started = System.nanoTime();
            try {
                messages.send(codec.encode(message), replyTimeout);
            } catch (PipeTimeoutException e) {
                // A server that accepts and never reads: without this deadline the send waited forever.
                throw new PipeTimeoutException(e.operation(), e.code(), "timed out: the server did not take the message within "
                        + DurationConverter.format(replyTimeout) + " (--reply-timeout); is it reading?", e);
            }
            String reply;
            try {
                Duration left = replyTimeout.minusNanos(System.nanoTime() - started);
                reply = codec.decode(messages.receive(left.isNegative() ? Duration.ZERO : left));
            } catch (PipeTimeoutException e) {
                throw new PipeTimeoutException(e.operation(), e.code(),
                        "timed out: no reply within " + DurationConverter.format(replyTimeout) + " (--reply-timeout)", e);
            }
            PrintWriter out = new CommandLine(this).getOut();
            out.println(reply);
            out.flush();
        }
        return 0;
    }

    /** Reads {@code 500ms}, {@code 5s}, {@code 2m}, or a plain number of milliseconds. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        /** {@code 30s}, {@code 500ms}: the way the options are written. */
        static String format(Duration duration) {
            long millis = duration.toMillis();
            return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
        }

        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            try {
                if (v.endsWith("ms")) {
                    return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
                } else if (v.endsWith("s")) {
                    return Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
                } else if (v.endsWith("m")) {
                    return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)) * 60);
                }
                return Duration.ofMillis(Long.parseLong(v));
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("not a duration: '" + value + "' (use 500ms, 5s or 1m)");
            }
        }
    }
}
