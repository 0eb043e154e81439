package io.pipekit.it.sockets;

import io.pipekit.client.PipeSocketFactory;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Whether the Docker engine's socket answers here, with the rule of pipe-it's other
 * Docker-needing tests (WindowsTestBedGate): in CI ({@code CI=true}) it is required, and its
 * absence fails the build with the reason ({@code .ci/run} starts {@code dockerd}); elsewhere the
 * tests are skipped with one loud line saying so.
 */
final class DockerEngineGate {
    private DockerEngineGate() {
    }

    /** Returns normally when a connection to {@code engine} can be made. */
    static void checkAvailable(PipeSocketFactory engine) {
        try (Socket probe = engine.withConnectTimeout(Duration.ofSeconds(2)).createSocket("localhost", 80)) {
            return;
        } catch (IOException | RuntimeException e) {
            String reason = "the Docker engine at " + engine.address() + " does not answer (" + e
                    + "); start dockerd, or run `bash .ci/run`, which does";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail("The Docker engine tests are required in CI and cannot run: " + reason);
            }
            System.err.println("*** DOCKER ENGINE TESTS SKIPPED: " + reason + " ***");
            Assumptions.abort("Docker engine tests skipped: " + reason);
        }
    }
}
