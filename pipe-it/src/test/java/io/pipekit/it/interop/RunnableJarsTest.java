package io.pipekit.it.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.it.ChildProcess;
import io.pipekit.testing.WindowsOnly;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import io.pipekit.server.PipeServer;
import java.util.concurrent.CompletableFuture;

/**
 * The two runnable jars as a user runs them, each in its own process: against each other
 * and against the C sample's peers.
 */
@WindowsOnly
class RunnableJarsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private final String name = "pipekit-jars-" + UUID.randomUUID();

    private static String serving(String name) {
        return "pipe-server: serving \\\\.\\pipe\\" + name + " (Ctrl-C to stop)";
    }

    @Test
    void clientJarRoundTripsWithServerJarInTheSamplesFormat() throws Exception {
        try (ChildProcess server = ChildProcess.jar("pipe-server.jar", "--name", name)) {
            server.awaitLine(serving(name)::equals, TIMEOUT);
            try (ChildProcess client = ChildProcess.jar("pipe-client.jar", "--name", name)) {
                assertEquals(0, client.awaitExit(TIMEOUT), () -> "pipe-client failed: " + client.output());
                assertEquals(List.of("Default answer from server"), client.output());
            }
            server.awaitLine(l -> l.matches("\\[\\d+] Default message from client\\."), TIMEOUT);
        }
    }

    @Test
    void jarsRunWithoutNativeAccessWarningsOnEveryJdk() throws Exception {
        try (ChildProcess server = ChildProcess.jar("pipe-server.jar", "--name", name)) {
            server.awaitLine(serving(name)::equals, TIMEOUT);
            try (ChildProcess client = ChildProcess.jar("pipe-client.jar", "--name", name)) {
                assertEquals(0, client.awaitExit(TIMEOUT), () -> "pipe-client failed: " + client.output());
                assertEquals(List.of(), client.jvmWarnings(), "pipe-client.jar on Java " + Runtime.version());
            }
            // By the time the server has answered, JNA has loaded its native library: any warning is out.
            server.awaitLine(l -> l.matches("\\[\\d+] Default message from client\\."), TIMEOUT);
            assertEquals(List.of(), server.jvmWarnings(), "pipe-server.jar on Java " + Runtime.version());
        }
    }

    @Test
    void clientJarRoundTripsWithEchoingServerJarInUtf8() throws Exception {
        try (ChildProcess server = ChildProcess.jar("pipe-server.jar", "--name", name, "--echo", "--encoding", "utf-8")) {
            server.awaitLine(serving(name)::equals, TIMEOUT);
            try (ChildProcess client = ChildProcess.jar("pipe-client.jar", "--name", name, "--encoding", "utf-8", "echo me")) {
                assertEquals(0, client.awaitExit(TIMEOUT), () -> "pipe-client failed: " + client.output());
                assertEquals(List.of("echo me"), client.output());
            }
        }
    }

    @Test
    void serverJarAnswersTheCSampleClient() throws Exception {
        try (ChildProcess server = ChildProcess.jar("pipe-server.jar", "--name", name)) {
            server.awaitLine(serving(name)::equals, TIMEOUT);
            try (ChildProcess client = ChildProcess.cPeer("sample-client.exe", name, "Hello from C")) {
                assertEquals(0, client.awaitExit(TIMEOUT), () -> "the C client failed: " + client.output());
                assertEquals("reply: Default answer from server", client.awaitLine(l -> l.startsWith("reply:"), TIMEOUT));
            }
            server.awaitLine(l -> l.endsWith("] Hello from C"), TIMEOUT);
        }
    }

    @Test
    void clientJarIsAnsweredByTheCSampleServer() throws Exception {
        try (ChildProcess server = ChildProcess.cPeer("sample-server.exe", name)) {
            server.awaitLine(l -> l.startsWith("listening on"), TIMEOUT);
            try (ChildProcess client = ChildProcess.jar("pipe-client.jar", "--name", name, "Hello from the jar")) {
                assertEquals(0, client.awaitExit(TIMEOUT), () -> "pipe-client failed: " + client.output());
                assertEquals(List.of("Default answer from server"), client.output());
            }
            server.awaitLine(l -> l.endsWith("] Hello from the jar"), TIMEOUT);
        }
    }

    @Test
    void clientJarReportsAMissingPipeInOneLineWithANonZeroExit() throws Exception {
        try (ChildProcess client = ChildProcess.jar("pipe-client.jar", "--name", name, "--timeout", "200ms")) {
            int exit = client.awaitExit(TIMEOUT);

            assertEquals(1, exit, () -> String.join("\n", client.output()));
            assertEquals(1, client.output().size(), () -> "expected one line, got " + client.output());
            String line = client.output().get(0);
            assertTrue(line.startsWith("pipe-client: ") && line.contains("no such pipe") && line.contains("ERROR_FILE_NOT_FOUND"), line);
        }
    }

    @Test
    void broadcastServerJarRelaysWhatOneClientSendsToEveryListener() throws Exception {
        try (ChildProcess server = ChildProcess.jar("pipe-server.jar", "--name", name, "--broadcast")) {
            server.awaitLine(serving(name)::equals, TIMEOUT);
            try (ChildProcess first = ChildProcess.jar("pipe-client.jar", "listen", "--name", name, "-e", "utf-8", "--count", "2");
                 ChildProcess second = ChildProcess.jar("pipe-client.jar", "listen", "--name", name, "-e", "utf-8", "--count", "2")) {
                first.awaitLine(l -> l.startsWith("pipe-client: listening to "), TIMEOUT);
                second.awaitLine(l -> l.startsWith("pipe-client: listening to "), TIMEOUT);
                try (ChildProcess sender = ChildProcess.jar("pipe-client.jar", "send", "--name", name, "-e", "utf-8", "first", "second")) {
                    assertEquals(0, sender.awaitExit(TIMEOUT), () -> "pipe-client send failed: " + sender.output());
                    assertEquals(List.of(), sender.output());
                }
                for (ChildProcess listener : List.of(first, second)) {
                    assertEquals(0, listener.awaitExit(TIMEOUT), () -> "pipe-client listen failed: " + listener.output());
                    assertEquals(List.of("first", "second"), listener.output().subList(1, listener.output().size()));
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
    void serverJarRefusesANameAlreadyServedInOneLine() throws Exception {
        try (ChildProcess first = ChildProcess.jar("pipe-server.jar", "--name", name)) {
            first.awaitLine(serving(name)::equals, TIMEOUT);
            try (ChildProcess second = ChildProcess.jar("pipe-server.jar", "--name", name)) {
                assertEquals(1, second.awaitExit(TIMEOUT), () -> String.join("\n", second.output()));
                assertTrue(second.output().get(0).contains("already served"), second.output().toString());
            }
        }
    }
}
