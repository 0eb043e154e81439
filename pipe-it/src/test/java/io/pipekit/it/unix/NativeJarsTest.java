package io.pipekit.it.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.it.ChildProcess;
import io.pipekit.core.PeerIdentity;
import io.pipekit.core.PipeException;
import io.pipekit.it.JarScenarios;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The runnable jars, natively on Linux and macOS, over Unix domain sockets, as the README runs them. */
@EnabledOnOs({OS.LINUX, OS.MAC})
class NativeJarsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private final String name = "pipekit-jars-" + UUID.randomUUID();

    @Test
    void clientJarRoundTripsWithServerJarWithTheSamplesDefaults() throws Exception {
        try (ChildProcess server = ChildProcess.jar("pipe-server.jar", "--name", name)) {
            server.awaitLine(l -> l.startsWith("pipe-server: serving"), TIMEOUT);
            try (ChildProcess client = ChildProcess.jar("pipe-client.jar", "--name", name, "hello")) {
                assertEquals(0, client.awaitExit(TIMEOUT), () -> "pipe-client failed: " + client.output());
                assertEquals(List.of("Default answer from server"), client.output());
            }
            server.awaitLine(l -> l.matches("\\[\\d+] hello"), TIMEOUT);
        }
    }

    @Test
    void jarsRunWithoutJvmWarningsOnEveryJdk() throws Exception {
        try (ChildProcess server = ChildProcess.jar("pipe-server.jar", "--name", name)) {
            server.awaitLine(l -> l.startsWith("pipe-server: serving"), TIMEOUT);
            try (ChildProcess client = ChildProcess.jar("pipe-client.jar", "--name", name, "hello")) {
                assertEquals(0, client.awaitExit(TIMEOUT), () -> "pipe-client failed: " + client.output());
                assertEquals(List.of(), client.jvmWarnings(), "pipe-client.jar on Java " + Runtime.version());
            }
            server.awaitLine(l -> l.matches("\\[\\d+] hello"), TIMEOUT);
            assertEquals(List.of(), server.jvmWarnings(), "pipe-server.jar on Java " + Runtime.version());
        }
    }

    @Test
    void echoingServerJarAnswersTheClientJarInUtf8() throws Exception {
        try (ChildProcess server = ChildProcess.jar("pipe-server.jar", "--name", name, "--echo", "-e", "utf-8")) {
            server.awaitLine(l -> l.startsWith("pipe-server: serving"), TIMEOUT);
            try (ChildProcess client = ChildProcess.jar("pipe-client.jar", "--name", name, "-e", "utf-8", "ação")) {
                assertEquals(0, client.awaitExit(TIMEOUT), () -> "pipe-client failed: " + client.output());
                assertEquals(List.of("ação"), client.output());
            }
        }
    }

    @Test
    void clientJarWithoutAServerFailsInOneLine() throws Exception {
        try (ChildProcess client = ChildProcess.jar("pipe-client.jar", "--name", name, "--timeout", "200ms")) {
            assertEquals(1, client.awaitExit(TIMEOUT));
            assertEquals(1, client.output().size(), client.output()::toString);
            assertTrue(client.output().get(0).startsWith("pipe-client: ") && client.output().get(0).contains("no such pipe"),
                    client.output().get(0));
        }
    }

    @Test
    void whoamiServerJarTellsTheClientJarItsProcessAndUser() throws Exception {
        JarScenarios.whoamiServerJarTellsTheClientJarWhoItIs(name, l -> l.startsWith("pipe-server: serving"),
                thisUser());
    }

    @Test
    void clientKnowsTheServerJarsProcessAndUser() throws Exception {
        JarScenarios.clientKnowsTheServerJarsProcess(name, l -> l.startsWith("pipe-server: serving"),
                thisUser());
    }

    @Test
    void whoamiServerJarRefusesAnotherAnswerInOneLine() throws Exception {
        try (ChildProcess server = ChildProcess.jar("pipe-server.jar", "--name", name, "--whoami", "--echo")) {
            assertEquals(1, server.awaitExit(TIMEOUT));
            assertEquals(List.of("pipe-server: --whoami answers requests itself: not with --echo, --raw or --broadcast"),
                    server.output());
        }
    }

    @Test
    void broadcastServerJarRelaysWhatOneClientSendsToEveryListener() throws Exception {
        JarScenarios.broadcastReachesEveryListener(name, l -> l.startsWith("pipe-server: serving"), List.of("first", "ação"));
    }

    @Test
    void clientJarGivesUpOnAServerThatNeverAnswersAfterItsReplyTimeout() throws Exception {
        JarScenarios.clientGivesUpAfterItsReplyTimeout(name);
    }

    /**
     * Defect 11 on Unix: a server that accepts and never reads, and a message larger than the
     * socket buffer (120,000 characters, 240 KB in UTF-16LE): the send fills the buffer and waits.
     * --reply-timeout covers the send too: one line, exit 1, within seconds.
     */
    @Test
    void clientJarGivesUpOnAServerThatNeverReadsWithinItsReplyTimeout() throws Exception {
        java.nio.file.Path path = io.pipekit.core.unix.SocketPaths.forName(io.pipekit.core.PipeName.of(name));
        try (var server = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            server.bind(java.net.UnixDomainSocketAddress.of(path)); // accepted by the backlog, never read
            long started = System.nanoTime();
            try (ChildProcess client = ChildProcess.jar("pipe-client.jar", "--name", name, "--reply-timeout", "2s", "x".repeat(120_000))) {
                assertEquals(1, client.awaitExit(TIMEOUT), () -> String.join("\n", client.output()));
                long took = System.nanoTime() - started;
                assertEquals(1, client.output().size(), () -> "expected one line, got " + client.output());
                String line = client.output().get(0);
                assertTrue(line.startsWith("pipe-client: ") && line.contains("timed out: the server did not take the message within 2s"), line);
                assertTrue(took < Duration.ofSeconds(30).toNanos(), "pipe-client took " + took / 1e9 + " s");
            }
        } finally {
            java.nio.file.Files.deleteIfExists(path);
        }
    }

    @Test
    void secondServerJarOnTheSameNameIsRefusedInOneLine() throws Exception {
        try (ChildProcess first = ChildProcess.jar("pipe-server.jar", "--name", name)) {
            first.awaitLine(l -> l.startsWith("pipe-server: serving"), TIMEOUT);
            try (ChildProcess second = ChildProcess.jar("pipe-server.jar", "--name", name)) {
                assertEquals(1, second.awaitExit(TIMEOUT));
                assertTrue(second.output().get(0).contains("already served"), second.output().toString());
            }
        }
    }

    @Test
    void benchCommandReportsItsMeasurementsAsJson() throws Exception {
        try (ChildProcess server = ChildProcess.jar("pipe-server.jar", "--name", name, "--echo", "--quiet", "-e", "utf-8")) {
            server.awaitLine(l -> l.startsWith("pipe-server: serving"), TIMEOUT);
            try (ChildProcess bench = ChildProcess.jar("pipe-client.jar", "bench", "--name", name, "-e", "utf-8",
                    "--clients", "3", "--size", "100", "--round-trips", "200", "--warmup", "10", "--json", "--no-progress")) {
                assertEquals(0, bench.awaitExit(TIMEOUT), () -> "bench failed: " + bench.output());
                String json = bench.output().get(bench.output().size() - 1);
                assertTrue(json.startsWith("{\"transport\":\"unix_domain_sockets\""), json);
                assertTrue(json.contains("\"clients\":3,\"messageBytes\":100,\"roundTrips\":600,"), json);
                for (String field : List.of("roundTripsPerSecond", "medianMicros", "p99Micros", "maxMicros")) {
                    assertTrue(json.matches(".*\"" + field + "\":[0-9]+\\.[0-9]+.*"), field + " missing in " + json);
                }
            }
        }
    }

    @Test
    void relayJarCopiesStdinToAByteTypePipeAndItsEchoToStdout() throws Exception {
        JarScenarios.relayCopiesStdinToThePipeAndThePipeToStdout(name, l -> l.startsWith("pipe-server: serving"));
    }

    @Test
    void relayJarReportsAMissingPipeInOneLine() throws Exception {
        JarScenarios.relayToAMissingPipeFailsInOneLine(name);
    }

    @Test
    void byteTypeServerJarAnswersLengthPrefixedFramesHoweverTheyAreCut() throws Exception {
        JarScenarios.byteServerJarAnswersLengthPrefixedFrames(name, l -> l.startsWith("pipe-server: serving"));
    }

    @Test
    void clientJarSpeaksFramesToTheByteTypeServerJar() throws Exception {
        JarScenarios.clientJarSpeaksFramesToTheByteServerJar(name, l -> l.startsWith("pipe-server: serving"));
    }

    /** This process's user as {@code --whoami} prints it. */
    private static String thisUser() throws PipeException {
        return "uid=" + PeerIdentity.currentProcess().uid().orElseThrow();
    }
}
