package io.pipekit.it.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.it.ChildProcess;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import io.pipekit.server.PipeServer;
import java.util.concurrent.CompletableFuture;

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
    void broadcastServerJarRelaysWhatOneClientSendsToEveryListener() throws Exception {
        try (ChildProcess server = ChildProcess.jar("pipe-server.jar", "--name", name, "--broadcast")) {
            server.awaitLine(l -> l.startsWith("pipe-server: serving"), TIMEOUT);
            try (ChildProcess first = ChildProcess.jar("pipe-client.jar", "listen", "--name", name, "-e", "utf-8", "--count", "2");
                 ChildProcess second = ChildProcess.jar("pipe-client.jar", "listen", "--name", name, "-e", "utf-8", "--count", "2")) {
                first.awaitLine(l -> l.startsWith("pipe-client: listening to "), TIMEOUT);
                second.awaitLine(l -> l.startsWith("pipe-client: listening to "), TIMEOUT);
                try (ChildProcess sender = ChildProcess.jar("pipe-client.jar", "send", "--name", name, "-e", "utf-8", "first", "ação")) {
                    assertEquals(0, sender.awaitExit(TIMEOUT), () -> "pipe-client send failed: " + sender.output());
                    assertEquals(List.of(), sender.output());
                }
                for (ChildProcess listener : List.of(first, second)) {
                    assertEquals(0, listener.awaitExit(TIMEOUT), () -> "pipe-client listen failed: " + listener.output());
                    assertEquals(List.of("first", "ação"), listener.output().subList(1, listener.output().size()));
                }
            }
        }
    }

    @Test
    void clientJarGivesUpOnAServerThatNeverAnswersAfterItsReplyTimeout() throws Exception {
        try (PipeServer silent = PipeServer.builder(name).asyncHandler((client, request) -> new CompletableFuture<>()).start();
             ChildProcess client = ChildProcess.jar("pipe-client.jar", "--name", name, "--reply-timeout", "300ms", "hello")) {
            assertEquals(1, client.awaitExit(TIMEOUT), () -> String.join("\n", client.output()));
            assertEquals(1, client.output().size(), () -> "expected one line, got " + client.output());
            assertTrue(client.output().get(0).startsWith("pipe-client: ") && client.output().get(0).contains("timed out: no reply within 300ms"),
                    client.output().get(0));
            assertTrue(silent.isRunning(), "the server is unaffected");
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
}
