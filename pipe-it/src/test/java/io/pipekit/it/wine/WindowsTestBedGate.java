package io.pipekit.it.wine;

import com.github.dockerjava.api.exception.NotFoundException;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;

/**
 * Decides whether the Windows suites can run here, and what to do when they cannot.
 *
 * <p>In CI ({@code CI=true}) the Windows suites are required: a missing Docker engine or
 * test bed image fails the build with the reason. Elsewhere the suites are skipped with one
 * loud line saying how to enable them, so a laptop without Docker still builds.
 */
final class WindowsTestBedGate {
    private WindowsTestBedGate() {
    }

    static boolean required() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Returns normally when a Docker engine answers and {@code image} exists there. */
    static void checkAvailable(String image) {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            unavailable("no Docker engine answers (start one, or run `bash .ci/run`, which does)");
        }
        try {
            DockerClientFactory.instance().client().inspectImageCmd(image).exec();
        } catch (NotFoundException e) {
            unavailable("the test bed image " + image + " for the current sources is not built"
                    + " (run pipe-it/src/test/wine/build-image.sh, or `bash .ci/run`)");
        }
    }

    private static void unavailable(String reason) {
        if (required()) {
            Assertions.fail("The Windows suite is required in CI and cannot run: " + reason);
        }
        System.err.println("*** WINDOWS SUITE SKIPPED: " + reason + " ***");
        Assumptions.abort("Windows suite skipped: " + reason);
    }
}
