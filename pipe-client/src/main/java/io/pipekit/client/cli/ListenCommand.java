package io.pipekit.client.cli;

import io.pipekit.client.PipeClient;
import io.pipekit.core.MessageCodec;
import io.pipekit.core.MessageCodecs;
import io.pipekit.core.PeerClosedException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code pipe-client listen}: prints every message the server sends, one per line, without
 * sending anything (after one line on stderr saying it listens). It ends after {@code --count} messages, when the server closes the
 * connection, or on Ctrl-C.
 */
@Command(name = "listen", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Prints every message the server sends, one per line.")
final class ListenCommand implements Callable<Integer> {
    @ParentCommand
    ClientCommand parent;

    @Option(names = "--count", paramLabel = "N", description = "Exit after N messages (default: until the server closes).")
    Integer count;

    @Override
    public Integer call() throws Exception {
        if (count != null && count < 0) {
            throw new IllegalArgumentException("--count must not be negative");
        }
        MessageCodec<String> codec = MessageCodecs.text(parent.encoding);
        PrintWriter out = new CommandLine(this).getOut();
        try (PipeClient client = PipeClient.builder(parent.name).connectTimeout(parent.timeout).connect()) {
            Messages messages = new Messages(client, parent.frame);
            // Ctrl-C closes the client from the shutdown thread: the blocked receive ends at once.
            Thread closer = new Thread(client::close, "pipe-client listen shutdown");
            Runtime.getRuntime().addShutdownHook(closer);
            // On stderr, so that stdout holds the messages alone; scripts can wait for this line.
            PrintWriter err = new CommandLine(this).getErr();
            err.println("pipe-client: listening to " + client.name());
            err.flush();
            for (int received = 0; count == null || received < count; received++) {
                String message;
                try {
                    message = messages.receive(codec);
                } catch (PeerClosedException serverClosed) {
                    break;
                }
                out.println(message);
                out.flush();
            }
            Runtime.getRuntime().removeShutdownHook(closer);
        }
        return 0;
    }
}
