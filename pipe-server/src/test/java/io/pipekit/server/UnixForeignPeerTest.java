package io.pipekit.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pipekit.client.PipeClient;
import io.pipekit.core.PipeName;
import io.pipekit.core.Transport;
import io.pipekit.core.unix.PeerCredentials;
import io.pipekit.core.unix.SocketPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * A peer of another uid is refused by the server (same-user peers only, SO_PEERCRED;
 * docs/security.md), checked with a real process of another user: a Python peer run as
 * {@code nobody} through setpriv. The owner-only socket directory and file would stop it before the
 * server could; the test opens both to it, so that what it checks is the server's own refusal.
 * Needs root to run a process as another user, which CI has; elsewhere the test says it was not run.
 */
@EnabledOnOs(OS.LINUX)
class UnixForeignPeerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** Connects, sends one frame (length, then "hello"), prints how the server answered. */
    private static final String PEER = String.join("\n",
            "import socket, struct, sys",
            "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)",
            "s.settimeout(20)",
            "s.connect(sys.argv[1])",
            "try:",
            "    s.sendall(struct.pack('>I', 5) + b'hello')",
            "    got = s.recv(64)",
            "    print('answer' if got else 'eof')",
            "except (ConnectionResetError, BrokenPipeError):",
            "    print('eof')",
            "except socket.timeout:",
            "    print('timeout')");

    private final String name = "pipekit-test-" + UUID.randomUUID();

    @Test
    void aPeerOfAnotherUidIsRefusedBeforeAnythingIsReadAndTheServerGoesOn() throws Exception {
        assumeTrue(PeerCredentials.currentUid() == 0, "running a peer as another user needs root (CI runs as root)");
        AtomicInteger handled = new AtomicInteger();
        Path socket = SocketPaths.forName(PipeName.of(name));
        Path folder = socket.getParent();
        Set<PosixFilePermission> folderWas = Files.getPosixFilePermissions(folder);
        try (RecordedLog log = new RecordedLog("io.pipekit");
                PipeServer server = PipeServer.builder(name).transport(Transport.UNIX_DOMAIN_SOCKETS).handler((client, request) -> {
                    handled.incrementAndGet();
                    return request;
                }).start()) {
            Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx--x--x"));
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));

            assertEquals("eof", runAsNobody(socket), "the peer of uid nobody");

            assertEquals(0, handled.get(), "the foreign peer's request was handled");
            // One line, naming the refusal (its wording, by name or by uid, is the server's to choose).
            assertEquals(1, log.records().stream().filter(r -> r.getLevel().intValue() >= Level.INFO.intValue()).count(), log.dump());
            assertEquals(1, log.count(Level.WARNING, "refused"), log.dump());
            try (PipeClient own = PipeClient.builder(name).transport(Transport.UNIX_DOMAIN_SOCKETS).connectTimeout(TIMEOUT)
                    .receiveTimeout(TIMEOUT).connect()) {
                assertArrayEquals(new byte[] {1}, own.transact(new byte[] {1}), "a client of the server's own user is served");
            }
        } finally {
            Files.setPosixFilePermissions(folder, folderWas);
        }
    }

    private static String runAsNobody(Path socket) throws Exception {
        Path out = Files.createTempFile("pipekit-foreign-peer", ".txt");
        try {
            Process peer = new ProcessBuilder(List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                    "/usr/bin/python3", "-c", PEER, socket.toString()))
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            try {
                assertTrue(peer.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "the peer did not finish");
            } finally {
                peer.destroyForcibly();
            }
            String said = Files.readString(out, UTF_8).strip();
            assertEquals(0, peer.exitValue(), "the peer failed: " + said);
            return said;
        } finally {
            Files.delete(out);
        }
    }
}
