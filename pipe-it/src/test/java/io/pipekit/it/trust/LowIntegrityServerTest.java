package io.pipekit.it.trust;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pipekit.client.PipeClient;
import io.pipekit.core.PeerIdentity;
import io.pipekit.core.PeerIdentity.IntegrityLevel;
import io.pipekit.core.ServerTrust;
import io.pipekit.core.UntrustedServerException;
import io.pipekit.core.PipeException;
import io.pipekit.testing.Wine;
import io.pipekit.testing.WindowsOnly;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Issue 24, defect 8, end to end: a sandboxed process of the client's own user (its token
 * lowered to {@code LOW} integrity) creates the name first; the default client refuses it with
 * {@link UntrustedServerException} before sending anything, although the user is its own.
 *
 * <p>Windows only, and checked on Windows by the GitHub workflow's Windows job. Wine 10 does not
 * keep integrity levels: it accepts {@code SetTokenInformation(TokenIntegrityLevel)} and starts
 * the process, but every token still reads {@code HIGH}, so the client sees a server at its own
 * level and must trust it. Under Wine this test asserts exactly that, so that a Wine that starts
 * keeping levels is noticed; the rule itself is checked everywhere by ServerTrustDecisionTest
 * (pipe-core), from the token facts.
 */
@WindowsOnly
class LowIntegrityServerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void defaultClientRefusesASandboxedServerOfItsOwnUser() throws Exception {
        String name = "pipekit-it-" + UUID.randomUUID();
        try (LowIntegrityProcess squatter = LowIntegrityProcess.javaMain(LowIntegrityEchoServer.class, name)) {
            String ownFacts = squatter.awaitLine(line -> line.startsWith("integrity="), TIMEOUT);
            squatter.awaitLine("listening"::equals, TIMEOUT);
            Own client = Own.now();

            if (Wine.isRunning()) {
                // What Wine shows: the lowered token reads as every token does, and so does the server.
                assertEquals("integrity=HIGH sid=" + client.sid(), ownFacts,
                        "Wine " + Wine.version().get() + " now reports the lowered token's level: check the rule under Wine too");
                try (PipeClient trusting = PipeClient.builder(name).connectTimeout(TIMEOUT).connect()) {
                    System.out.println("Wine " + Wine.version().get() + ": the process started with a LOW token says " + ownFacts
                            + "; the client reads the server as " + trusting.server().integrityLevel() + " and itself as "
                            + client.integrity() + ", so it trusts the server: the rule cannot be checked under Wine");
                    assertEquals(Optional.of(IntegrityLevel.HIGH), trusting.server().integrityLevel());
                    assertEquals(Optional.of(IntegrityLevel.HIGH), Optional.ofNullable(client.integrity()));
                }
                return;
            }
            assertEquals("integrity=LOW sid=" + client.sid(), ownFacts, "the squatter runs as this user, at LOW");
            UntrustedServerException refused = assertThrows(UntrustedServerException.class,
                    () -> PipeClient.builder(name).connectTimeout(TIMEOUT).connect().close());
            PeerIdentity server = refused.server();
            assertEquals(Optional.of(client.sid()), server.sid(), "the same user: the SID alone would have trusted it");
            assertEquals(Optional.of(IntegrityLevel.LOW), server.integrityLevel());

            // The same server, once the client says a lower level is fine: it was the level that refused it.
            try (PipeClient lenient = PipeClient.builder(name).serverTrust(ServerTrust.currentUserOrSystem().allowLowerIntegrity())
                    .connectTimeout(TIMEOUT).connect()) {
                assertArrayEquals("hello".getBytes(UTF_8), lenient.transact("hello".getBytes(UTF_8)));
            }
        }
    }

    /** What this process's token says of its user and level, through the public API. */
    private record Own(String sid, IntegrityLevel integrity) {
        static Own now() throws PipeException {
            PeerIdentity me = PeerIdentity.currentProcess();
            return new Own(me.sid().orElseThrow(), me.integrityLevel().orElse(null));
        }
    }
}
