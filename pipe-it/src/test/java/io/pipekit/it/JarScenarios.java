package io.pipekit.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.client.PipeClient;
import io.pipekit.core.LengthPrefixFraming;
import io.pipekit.core.ReadMode;
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

    /**
     * {@code pipe-client relay} against {@code pipe-server --mode byte --raw} (a stream echo):
     * what goes into the relay's standard input comes out of its standard output, and once its
     * input ends it lingers for the echo, then exits 0.
     */
    public static void relayCopiesStdinToThePipeAndThePipeToStdout(String name, Predicate<String> serving) throws Exception {
        try (ChildProcess server = ChildProcess.jar("pipe-server.jar", "--name", name, "--mode", "byte", "--raw")) {
            server.awaitLine(serving, TIMEOUT);
            try (ChildProcess relay = ChildProcess.jar("pipe-client.jar", "relay", "--name", name, "--linger", "2s")) {
                relay.inputThenEnd("first line\nsecond line\n");
                assertEquals(0, relay.awaitExit(TIMEOUT), () -> "pipe-client relay failed: " + relay.output());
                assertEquals(List.of("first line", "second line"), relay.output());
            }
        }
    }

    /** {@code pipe-client relay} to a pipe nobody serves: one line, exit 1. */
    public static void relayToAMissingPipeFailsInOneLine(String name) throws Exception {
        try (ChildProcess relay = ChildProcess.jar("pipe-client.jar", "relay", "--name", name, "--timeout", "300ms")) {
            relay.inputThenEnd("");
            assertEquals(1, relay.awaitExit(TIMEOUT), () -> String.join("\n", relay.output()));
            assertEquals(1, relay.output().size(), () -> "expected one line, got " + relay.output());
            assertTrue(relay.output().get(0).startsWith("pipe-client: ") && relay.output().get(0).contains("no such pipe"),
                    relay.output().get(0));
        }
    }

    /**
     * {@code pipe-server --mode byte} without {@code --raw}: a byte-type pipe whose requests and
     * answers are u32be frames, split however the client's writes cut them.
     */
    public static void byteServerJarAnswersLengthPrefixedFrames(String name, Predicate<String> serving) throws Exception {
        LengthPrefixFraming framing = LengthPrefixFraming.u32be(1024);
        try (ChildProcess server = ChildProcess.jar("pipe-server.jar", "--name", name, "--mode", "byte", "-e", "utf-8", "--echo")) {
            server.awaitLine(serving, TIMEOUT);
            try (PipeClient client = PipeClient.builder(name).readMode(ReadMode.BYTE).connectTimeout(TIMEOUT).connect()) {
                byte[] frame = framing.frame("framed hello".getBytes(UTF_8));
                client.send(java.util.Arrays.copyOfRange(frame, 0, 3));
                client.send(java.util.Arrays.copyOfRange(frame, 3, frame.length));
                assertEquals("framed hello", new String(framing.read(client.inputStream()), UTF_8));
            }
            server.awaitLine(line -> line.endsWith("] framed hello"), TIMEOUT);
        }
    }

    /**
     * Issue 25: the client jar against {@code pipe-server --mode byte}. On Windows its client reads
     * a byte-type pipe in byte read mode, where {@code receive} refuses; it sent its text unframed
     * and read whatever one read delivered, so the server took the text for a frame's length and
     * dropped it. It now sends and reads u32be frames through the stream, as the server answers.
     * (On Unix sockets AUTO reads pipekit's frames, which are u32be: the same bytes either way.)
     */
    public static void clientJarSpeaksFramesToTheByteServerJar(String name, Predicate<String> serving) throws Exception {
        try (ChildProcess server = ChildProcess.jar("pipe-server.jar", "--name", name, "--mode", "byte", "-e", "utf-8", "--echo")) {
            server.awaitLine(serving, TIMEOUT);
            try (ChildProcess client = ChildProcess.jar("pipe-client.jar", "--name", name, "-e", "utf-8", "framed from the jar")) {
                assertEquals(0, client.awaitExit(TIMEOUT), () -> "pipe-client failed: " + client.output());
                assertEquals(List.of("framed from the jar"), client.output());
            }
            try (ChildProcess bench = ChildProcess.jar("pipe-client.jar", "bench", "--name", name, "-e", "utf-8", "--clients", "2",
                    "--round-trips", "50", "--warmup", "5", "--json", "--no-progress")) {
                assertEquals(0, bench.awaitExit(TIMEOUT), () -> "pipe-client bench failed: " + bench.output());
                assertTrue(bench.output().get(bench.output().size() - 1).contains("\"clients\":2,\"messageBytes\":64,\"roundTrips\":100,"), bench.output().toString());
            }
        }
    }

    /**
     * {@code pipe-server --whoami} answers the client jar with the client's identity: the process
     * id of that very client process, and {@code userFact} ({@code sid=S-1-...} or {@code uid=N}),
     * the user this test runs as, which the client jar runs as too.
     */
    public static void whoamiServerJarTellsTheClientJarWhoItIs(String name, Predicate<String> serving, String userFact) throws Exception {
        try (ChildProcess server = ChildProcess.jar("pipe-server.jar", "--name", name, "--whoami")) {
            server.awaitLine(serving, TIMEOUT);
            try (ChildProcess client = ChildProcess.jar("pipe-client.jar", "--name", name, "who am I?")) {
                assertEquals(0, client.awaitExit(TIMEOUT), () -> "pipe-client failed: " + client.output());
                assertEquals(1, client.output().size(), () -> "one line: " + client.output());
                assertWhoami(client.output().get(0), client.pid(), userFact);
            }
        }
    }

    /** Asserts that {@code line} is a whoami answer naming process {@code pid} and holding {@code userFact}. */
    public static void assertWhoami(String line, long pid, String userFact) {
        assertTrue(line.matches("pid=\\d+ user=\\S+ (sid=S-1-[0-9-]+|uid=\\d+) elevated=(yes|no|unknown)"), line);
        assertTrue(line.startsWith("pid=" + pid + " "), () -> "the client process is " + pid + ": " + line);
        assertTrue(line.contains(" " + userFact + " "), () -> "expected " + userFact + ": " + line);
    }

    /**
     * A client in this process connected to {@code pipe-server.jar} in another knows who serves it:
     * that process's id, and {@code userFact}, this test's user. Client and server in one process
     * could not tell the two ends' identities apart; here they differ by process.
     */
    public static void clientKnowsTheServerJarsProcess(String name, Predicate<String> serving, String userFact) throws Exception {
        try (ChildProcess server = ChildProcess.jar("pipe-server.jar", "--name", name)) {
            server.awaitLine(serving, TIMEOUT);
            try (PipeClient client = PipeClient.builder(name).connectTimeout(TIMEOUT).connect()) {
                String described = client.server().describe();
                assertTrue(described.startsWith("pid=" + server.pid() + " "), () -> "the server jar is process " + server.pid() + ": " + described);
                assertTrue(described.contains(" " + userFact + " "), () -> "expected " + userFact + ": " + described);
                assertTrue(server.pid() != ProcessHandle.current().pid());
            }
        }
    }
}
