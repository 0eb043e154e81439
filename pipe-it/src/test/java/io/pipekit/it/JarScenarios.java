package io.pipekit.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.server.PipeServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * Scenarios of the runnable jars that read the same on every transport: the Windows jar tests
 * (under Wine and on Windows) and the Unix ones run them with their own pipe name and their own
 * way of recognising the server's "serving" line.
 */
public final class JarScenarios {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private JarScenarios() {
    }

    /**
     * {@code pipe-server --broadcast}, two {@code pipe-client listen --count N} and one
     * {@code pipe-client send}: each listener prints exactly what was sent, in order.
     */
    public static void broadcastReachesEveryListener(String name, Predicate<String> serving, List<String> messages) throws Exception {
        try (ChildProcess server = ChildProcess.jar("pipe-server.jar", "--name", name, "--broadcast")) {
            server.awaitLine(serving, TIMEOUT);
            String count = String.valueOf(messages.size());
            try (ChildProcess first = ChildProcess.jar("pipe-client.jar", "listen", "--name", name, "-e", "utf-8", "--count", count);
                 ChildProcess second = ChildProcess.jar("pipe-client.jar", "listen", "--name", name, "-e", "utf-8", "--count", count)) {
                first.awaitLine(l -> l.startsWith("pipe-client: listening to "), TIMEOUT);
                second.awaitLine(l -> l.startsWith("pipe-client: listening to "), TIMEOUT);
                List<String> send = new ArrayList<>(List.of("send", "--name", name, "-e", "utf-8"));
                send.addAll(messages);
                try (ChildProcess sender = ChildProcess.jar("pipe-client.jar", send.toArray(new String[0]))) {
                    assertEquals(0, sender.awaitExit(TIMEOUT), () -> "pipe-client send failed: " + sender.output());
                    assertEquals(List.of(), sender.output());
                }
                for (ChildProcess listener : List.of(first, second)) {
                    assertEquals(0, listener.awaitExit(TIMEOUT), () -> "pipe-client listen failed: " + listener.output());
                    assertEquals(messages, listener.output().subList(1, listener.output().size()));
                }
            }
        }
    }

    /** The one-shot client against a server that accepts and never answers: one line, exit 1, server unaffected. */
    public static void clientGivesUpAfterItsReplyTimeout(String name) throws Exception {
        try (PipeServer silent = PipeServer.builder(name).asyncHandler((client, request) -> new CompletableFuture<>()).start();
             ChildProcess client = ChildProcess.jar("pipe-client.jar", "--name", name, "--reply-timeout", "300ms", "hello")) {
            assertEquals(1, client.awaitExit(TIMEOUT), () -> String.join("\n", client.output()));
            assertEquals(1, client.output().size(), () -> "expected one line, got " + client.output());
            String line = client.output().get(0);
            assertTrue(line.startsWith("pipe-client: ") && line.contains("timed out: no reply within 300ms"), line);
            assertTrue(silent.isRunning(), "the server is unaffected");
        }
    }
}
