package io.pipekit.it.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.testing.WindowsOnly;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import io.pipekit.core.MessageCodecs;
import io.pipekit.core.PeerClosedException;
import io.pipekit.core.PeerIdentity;
import io.pipekit.core.PipeException;
import io.pipekit.core.UntrustedServerException;
import java.util.OptionalLong;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * The docs' examples, run: on the host JVM (Unix domain sockets on Linux and macOS) and, through
 * the {@value WindowsOnly#TAG} tag, in the Windows suite under Wine (named pipes) as well.
 */
@Tag(WindowsOnly.TAG)
class DocExamplesTest {

    @Test
    void theReadmeAndTutorialExampleRoundTripsOnThisPlatformsTransport() throws Exception {
        assertEquals("Default answer from server", Hello.roundTrip("pipekit-docs-" + UUID.randomUUID()));
    }

    @Test
    void theAgentStyleExampleSpeaksLengthPrefixedFramesOverAByteTypePipe() throws Exception {
        String name = "pipekit-agent-" + UUID.randomUUID();
        try (var server = AgentStyle.serveEmptyAgent(name)) {
            assertEquals(0, AgentStyle.countIdentities(name));
        }
    }

    @Test
    void theAllowListAdmitsItsUsersAndRefusesOthers() throws Exception {
        String name = "pipekit-allow-" + UUID.randomUUID();
        try (var server = SecureAgent.serveAllowList(name, Set.of(thisUser()))) {
            try (var client = SecureAgent.connectToService(name, "S-1-5-20")) {
                assertTrue(client.transact(MessageCodecs.utf8(), "who am I?").contains(thisUser()));
            }
        }
        try (var server = SecureAgent.serveAllowList(name, Set.of("S-1-5-20", "4242424"))) {
            assertThrows(PeerClosedException.class, () -> {
                try (var client = SecureAgent.connectToService(name, "S-1-5-20")) {
                    client.transact(MessageCodecs.utf8(), "who am I?");
                }
            });
        }
    }

    @Test
    void theSystemOnlyClientRefusesAServerOfThisUserUnlessThisUserIsTheSystem() throws Exception {
        String name = "pipekit-system-" + UUID.randomUUID();
        PeerIdentity me = PeerIdentity.currentProcess();
        boolean thisUserIsTheSystem = me.sid().map("S-1-5-18"::equals).orElse(me.uid().equals(OptionalLong.of(0)));
        try (var server = SecureAgent.serveAllowList(name, Set.of(thisUser()))) {
            if (thisUserIsTheSystem) { // root, as Linux CI runs
                try (var client = SecureAgent.connectToSystemService(name)) {
                    assertTrue(client.transact(MessageCodecs.utf8(), "who am I?").contains(thisUser()));
                }
            } else {
                UntrustedServerException refused = assertThrows(UntrustedServerException.class,
                        () -> SecureAgent.connectToSystemService(name).close());
                assertTrue(refused.getMessage().contains("is not running as the system"), refused.getMessage());
            }
        }
    }

    @Test
    @EnabledOnOs(OS.WINDOWS)
    void theFileSizeServerReadsWhatTheClientNamesAsTheClient() throws Exception {
        String name = "pipekit-as-client-" + UUID.randomUUID();
        Path file = Files.createTempFile("pipekit-doc", ".txt");
        try (var server = SecureAgent.serveFileSizesAsTheClient(name)) {
            Files.writeString(file, "twelve bytes");
            assertEquals("12", SecureAgent.fileSize(name, file.toString()));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** This process's user, as the allow-list names it: its SID on Windows, its uid on Unix. */
    private static String thisUser() throws PipeException {
        PeerIdentity me = PeerIdentity.currentProcess();
        return me.sid().orElseGet(() -> Long.toString(me.uid().orElseThrow()));
    }
}
