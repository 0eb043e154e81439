package io.pipekit.it.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.client.PipeAddress;
import io.pipekit.client.PipeSocketFactory;
import io.pipekit.it.ChildProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pipe-client http}, the built pipe-client.jar run as a process, against the real Docker
 * engine (DOCKER_HOST, or /var/run/docker.sock): required in CI, as {@link DockerEngineGate} says.
 * The exit statuses are the ones the README documents: 0, 22 for an HTTP error status, 7 for no answer.
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class HttpCliDockerEngineTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static PipeAddress engine;

    @BeforeAll
    static void engineAnswers() {
        engine = PipeAddress.dockerHost();
        DockerEngineGate.checkAvailable(PipeSocketFactory.of(engine));
    }

    @Test
    void getVersionPrintsTheEnginesJsonAndExitsZero() throws Exception {
        // No --name: the engine is found through DOCKER_HOST or Docker's default, as the docker CLI finds it.
        try (ChildProcess http = ChildProcess.jar("pipe-client.jar", "http", "/version")) {
            assertEquals(0, http.awaitExit(TIMEOUT), () -> "pipe-client http failed: " + http.output());
            List<String> out = http.output();
            assertEquals(1, out.size(), () -> "one line of JSON, nothing else: " + out);
            assertTrue(out.get(0).startsWith("{") && out.get(0).contains("\"ApiVersion\""), () -> "the engine's /version: " + out);
        }
    }

    @Test
    void includePrintsTheStatusLineAndHeadersBeforeTheBody() throws Exception {
        try (ChildProcess http = ChildProcess.jar("pipe-client.jar", "http", "-i", "--name", "unix://" + engine, "/_ping")) {
            assertEquals(0, http.awaitExit(TIMEOUT), () -> "pipe-client http -i failed: " + http.output());
            List<String> out = http.output();
            assertEquals("HTTP/1.1 200 OK", out.get(0), () -> "the status line first: " + out);
            assertTrue(out.get(1).matches("[A-Za-z-]+: .*"), () -> "a header second: " + out);
            assertTrue(out.stream().anyMatch(l -> l.toLowerCase(Locale.ROOT).startsWith("api-version: ")),
                    () -> "the engine's Api-Version header: " + out);
            int blank = out.indexOf("");
            assertTrue(blank > 1, () -> "a blank line ends the head: " + out);
            assertEquals(List.of("OK"), out.subList(blank + 1, out.size()), () -> "then the body: " + out);
        }
    }

    /** A bound the answer comes within changes nothing (HttpCliMaxTimeTest has the answers that do not come). */
    @Test
    void anAnswerWithinMaxTimeExitsZero() throws Exception {
        try (ChildProcess http = ChildProcess.jar("pipe-client.jar", "http", "--max-time", "30", "--name", engine.toString(), "/_ping")) {
            assertEquals(0, http.awaitExit(TIMEOUT), () -> "pipe-client http --max-time failed: " + http.output());
            assertEquals(List.of("OK"), http.output());
        }
    }

    @Test
    void anHttpErrorStatusExits22AndPrintsTheBody() throws Exception {
        try (ChildProcess http = ChildProcess.jar("pipe-client.jar", "http", "--name", engine.toString(), "/pipekit-no-such-path")) {
            assertEquals(22, http.awaitExit(TIMEOUT), () -> "404 is an HTTP error: " + http.output());
            assertEquals(List.of("{\"message\":\"page not found\"}"), http.output());
        }
    }

    @Test
    void postSendsTheMethodTheHeadersAndTheFilesBytes(@TempDir Path dir) throws Exception {
        String image = "pipekit-no-such-image-" + UUID.randomUUID();
        Path body = Files.writeString(dir.resolve("create.json"), "{\"Image\":\"" + image + "\"}", StandardCharsets.UTF_8);
        // The engine reads the image from the body it got: its answer names it, so the method, the
        // Content-Type and the file's bytes all arrived. No such image: no container is made.
        try (ChildProcess http = ChildProcess.jar("pipe-client.jar", "http", "-X", "POST", "-H", "Content-Type: application/json",
                "-d", "@" + body, "/containers/create")) {
            assertEquals(22, http.awaitExit(TIMEOUT), () -> "404 (no such image): " + http.output());
            List<String> out = http.output();
            assertEquals(1, out.size(), () -> "one line: " + out);
            assertTrue(out.get(0).contains("No such image") && out.get(0).contains(image), () -> "the engine read the body: " + out);
        }
    }

    @Test
    void aMissingSocketIsATransportFailureInOneLine(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("absent.sock");
        try (ChildProcess http = ChildProcess.jar("pipe-client.jar", "http", "--name", "unix://" + socket, "/version")) {
            assertEquals(7, http.awaitExit(TIMEOUT), () -> "no answer: " + http.output());
            assertEquals(List.of("pipe-client: http: no answer from " + socket + ": ConnectException: no pipe or socket at "
                    + socket + " (is the server running?)"), http.output());
        }
    }
}
