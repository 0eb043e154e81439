package io.pipekit.it.sockets;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Whether a PostgreSQL server listens on its Unix socket here, with the rule of
 * {@link DockerEngineGate}: in CI ({@code CI=true}) it is required, and its absence fails the
 * build with the reason ({@code .ci/run} installs and starts the server); elsewhere the tests are
 * skipped with one loud line saying so.
 */
final class PostgresGate {
    /** Debian's PostgreSQL socket; {@code PIPEKIT_POSTGRES_SOCKET} names another. */
    static final Path SOCKET = Path.of(System.getenv().getOrDefault("PIPEKIT_POSTGRES_SOCKET", "/var/run/postgresql/.s.PGSQL.5432"));

    private PostgresGate() {
    }

    /** Returns normally when the server's socket is there. */
    static void checkAvailable() {
        if (Files.exists(SOCKET)) {
            return;
        }
        String reason = "no PostgreSQL server socket at " + SOCKET + "; install postgresql and start its cluster"
                + " (pg_ctlcluster VERSION main start) with a role for this user, or run `bash .ci/run`, which does";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail("The PostgreSQL tests are required in CI and cannot run: " + reason);
        }
        System.err.println("*** POSTGRESQL TESTS SKIPPED: " + reason + " ***");
        Assumptions.abort("PostgreSQL tests skipped: " + reason);
    }
}
