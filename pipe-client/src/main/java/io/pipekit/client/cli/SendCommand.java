package io.pipekit.client.cli;

import io.pipekit.client.PipeClient;
import io.pipekit.core.MessageCodec;
import io.pipekit.core.MessageCodecs;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code pipe-client send MESSAGE...}: sends each message, in order, and reads nothing. */
@Command(name = "send", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Sends each message, in order, without reading anything.")
final class SendCommand implements Callable<Integer> {
    @ParentCommand
    ClientCommand parent;

    @Parameters(arity = "1..*", paramLabel = "MESSAGE", description = "The messages to send.")
    List<String> messages;

    @Override
    public Integer call() throws Exception {
        MessageCodec<String> codec = MessageCodecs.text(parent.encoding);
        try (PipeClient client = PipeClient.builder(parent.name).connectTimeout(parent.timeout).connect()) {
            Messages exchange = new Messages(client, parent.frame);
            for (String message : messages) {
                exchange.send(codec.encode(message));
            }
        }
        return 0;
    }
}
