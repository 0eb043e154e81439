package io.pipekit.it.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.it.ChildProcess;
import io.pipekit.core.PeerIdentity;
import io.pipekit.core.PipeException;
import io.pipekit.it.JarScenarios;
import io.pipekit.testing.WindowsOnly;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

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
    void whoamiServerJarTellsTheClientJarItsProcessAndUser() throws Exception {
        JarScenarios.whoamiServerJarTellsTheClientJarWhoItIs(name, serving(name)::equals, thisUser());
    }

    @Test
    void clientKnowsTheServerJarsProcessAndUser() throws Exception {
        JarScenarios.clientKnowsTheServerJarsProcess(name, serving(name)::equals, thisUser());
    }

    @Test
    void whoamiServerJarTellsTheCSampleClientItsProcessAndUser() throws Exception {
        try (ChildProcess server = ChildProcess.jar("pipe-server.jar", "--name", name, "--whoami")) {
            server.awaitLine(serving(name)::equals, TIMEOUT);
            try (ChildProcess client = ChildProcess.cPeer("sample-client.exe", name, "who am I?")) {
                assertEquals(0, client.awaitExit(TIMEOUT), () -> "the C client failed: " + client.output());
                String reply = client.awaitLine(l -> l.startsWith("reply:"), TIMEOUT).substring("reply: ".length());
                JarScenarios.assertWhoami(reply, client.pid(), thisUser());
            }
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
        // ASCII: JDK 17 prints to the Windows console code page, which may not hold "ç".
        JarScenarios.broadcastReachesEveryListener(name, serving(name)::equals, List.of("first", "second"));
    }

    @Test
    void clientJarGivesUpOnAServerThatNeverAnswersAfterItsReplyTimeout() throws Exception {
        JarScenarios.clientGivesUpAfterItsReplyTimeout(name);
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

    @Test
    void relayJarCopiesStdinToAByteTypePipeAndItsEchoToStdout() throws Exception {
        JarScenarios.relayCopiesStdinToThePipeAndThePipeToStdout(name, serving(name)::equals);
    }

    @Test
    void relayJarReportsAMissingPipeInOneLine() throws Exception {
        JarScenarios.relayToAMissingPipeFailsInOneLine(name);
    }

    @Test
    void byteTypeServerJarAnswersLengthPrefixedFramesHoweverTheyAreCut() throws Exception {
        JarScenarios.byteServerJarAnswersLengthPrefixedFrames(name, serving(name)::equals);
    }

    @Test
    void clientJarSpeaksFramesToTheByteTypeServerJar() throws Exception {
        JarScenarios.clientJarSpeaksFramesToTheByteServerJar(name, serving(name)::equals);
    }

    /** This process's user as {@code --whoami} prints it. */
    private static String thisUser() throws PipeException {
        return "sid=" + PeerIdentity.currentProcess().sid().orElseThrow();
    }
}
