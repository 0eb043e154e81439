package io.pipekit.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.core.PeerIdentity.Elevation;
import io.pipekit.core.PeerIdentity.IntegrityLevel;
import io.pipekit.core.PeerIdentity.Source;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class PeerIdentityTest {

    @Test
    void windowsIdentityDescribesItselfAsWhoamiAnswers() {
        PeerIdentity identity = PeerIdentity.windows(4242, 1, "S-1-5-21-1-2-3-1001", "HOST\\alice", Source.TOKEN, Elevation.NO, IntegrityLevel.MEDIUM);

        assertEquals("pid=4242 user=HOST\\alice sid=S-1-5-21-1-2-3-1001 elevated=no", identity.describe());
        assertEquals(OptionalInt.of(1), identity.sessionId());
        assertEquals(OptionalLong.empty(), identity.uid());
        assertEquals(Optional.of(IntegrityLevel.MEDIUM), identity.integrityLevel());
    }

    @Test
    void unixIdentityHasAUidAndNoWindowsNotions() {
        PeerIdentity identity = PeerIdentity.unix(77, 1000, 100, "alice");

        assertEquals("pid=77 user=alice uid=1000 elevated=unknown", identity.describe());
        assertEquals(OptionalLong.of(100), identity.gid());
        assertTrue(identity.sid().isEmpty() && identity.sessionId().isEmpty() && identity.integrityLevel().isEmpty());
    }

    @Test
    void whatTheOsWouldNotTellReadsUnknownNotMinusOne() {
        PeerIdentity identity = PeerIdentity.unix(-1, 1000, -1, null);

        assertEquals("pid=unknown user=unknown uid=1000 elevated=unknown", identity.describe());
        assertEquals(OptionalLong.empty(), identity.processId());
        assertEquals(OptionalLong.empty(), identity.gid());
        assertEquals("pid=unknown user=unknown sid=unknown elevated=unknown",
                PeerIdentity.windows(-1, -1, null, null, Source.UNKNOWN, Elevation.UNKNOWN, null).describe());
    }

    @Test
    void integrityLevelIsReadFromTheLabelsRid() {
        assertEquals(IntegrityLevel.UNTRUSTED, IntegrityLevel.ofRid(0));
        assertEquals(IntegrityLevel.LOW, IntegrityLevel.ofRid(0x1000));
        assertEquals(IntegrityLevel.MEDIUM, IntegrityLevel.ofRid(0x2000));
        assertEquals(IntegrityLevel.MEDIUM_PLUS, IntegrityLevel.ofRid(0x2100));
        assertEquals(IntegrityLevel.HIGH, IntegrityLevel.ofRid(0x3000));
        assertEquals(IntegrityLevel.SYSTEM, IntegrityLevel.ofRid(0x4000));
        assertEquals(IntegrityLevel.HIGH, IntegrityLevel.ofRid(0x3500), "between two levels: the lower one");
    }

    @Test
    void serverTrustSaysWhomItAccepts() {
        String levels = " (on Windows, at no lower integrity level than this client)";
        assertEquals("running as the current user or the system" + levels, ServerTrust.currentUserOrSystem().describe());
        assertEquals("running as the current user" + levels, ServerTrust.currentUser().describe());
        assertEquals("running as NT SERVICE\\agent or S-1-5-18" + levels,
                ServerTrust.user("NT SERVICE\\agent").orUser("S-1-5-18").describe());
        assertEquals("running as the current user or the system", ServerTrust.currentUserOrSystem().allowLowerIntegrity().describe());
        assertEquals("running as the current user or bob",
                ServerTrust.currentUser().allowLowerIntegrity().orUser("bob").describe(), "orUser keeps allowLowerIntegrity");
        assertTrue(ServerTrust.anyServer().acceptsLowerIntegrity() && !ServerTrust.currentUserOrSystem().acceptsLowerIntegrity());
        assertEquals("any server", ServerTrust.anyServer().orUser("bob").describe(), "anyServer stays any");
        assertThrows(IllegalArgumentException.class, () -> ServerTrust.user(" "));
    }

    @Test
    void serverTrustNamesTheServiceAccountsAndTheSystem() {
        String levels = " (on Windows, at no lower integrity level than this client)";
        assertEquals("running as the system" + levels, ServerTrust.system().describe());
        assertEquals("running as LocalService (S-1-5-19)" + levels, ServerTrust.localService().describe());
        assertEquals("running as the system or NetworkService (S-1-5-20)" + levels, ServerTrust.system().orUser("S-1-5-20").describe());
        assertTrue(ServerTrust.system().acceptsSystem() && !ServerTrust.system().acceptsCurrentUser() && ServerTrust.system().users().isEmpty());
        assertEquals(java.util.List.of("S-1-5-20"), ServerTrust.networkService().users());
    }

    @Test
    void sourceSaysWhereTheUserCameFromAndMustFitIt() {
        PeerIdentity token = PeerIdentity.windows(4, 0, "S-1-5-18", "NT AUTHORITY\\SYSTEM", Source.TOKEN, Elevation.YES, IntegrityLevel.SYSTEM);
        PeerIdentity owner = PeerIdentity.windows(4, 0, "S-1-5-18", "NT AUTHORITY\\SYSTEM", Source.PIPE_OWNER, Elevation.YES,
                IntegrityLevel.SYSTEM);

        assertEquals(Source.TOKEN, token.source());
        assertEquals(Source.PIPE_OWNER, owner.source());
        assertNotEquals(token, owner, "the same facts from another source are another identity");
        assertEquals(token.describe(), owner.describe(), "describe() keeps the --whoami format");
        assertEquals(Source.UNIX_CREDENTIALS, PeerIdentity.unix(7, 1000, 100, "alice").source());
        assertEquals(Source.UNKNOWN, PeerIdentity.unix(7, -1, -1, null).source());
        assertEquals(Source.UNKNOWN, PeerIdentity.windows(7, 1, null, null, Source.UNKNOWN, Elevation.UNKNOWN, null).source());
        assertThrows(IllegalArgumentException.class,
                () -> PeerIdentity.windows(7, 1, null, null, Source.TOKEN, Elevation.UNKNOWN, null), "a token without a user");
        assertThrows(IllegalArgumentException.class,
                () -> PeerIdentity.windows(7, 1, "S-1-5-18", null, Source.UNKNOWN, Elevation.UNKNOWN, null), "a user from nowhere");
        assertThrows(IllegalArgumentException.class,
                () -> PeerIdentity.windows(7, 1, "S-1-5-18", null, Source.UNIX_CREDENTIALS, Elevation.UNKNOWN, null));
    }

    @Test
    void untrustedServerExceptionNamesTheServersIntegrityLevelWhenKnown() {
        PeerIdentity sandboxed = PeerIdentity.windows(9, 1, "S-1-5-21-1-2-3-1001", "HOST\\alice", Source.TOKEN, Elevation.NO, IntegrityLevel.LOW);

        UntrustedServerException e = new UntrustedServerException("connect \\\\.\\pipe\\x", sandboxed, ServerTrust.currentUser());

        assertTrue(e.getMessage().contains("elevated=no integrity=low) is not running as the current user (on Windows, at no lower"),
                e.getMessage());
    }

    @Test
    void untrustedServerExceptionSaysWhenTheUserIsThePipesOwnerAndItsSession() {
        PeerIdentity elevatedAdmin = PeerIdentity.windows(9, 1, "S-1-5-32-544", "BUILTIN\\Administrators", Source.PIPE_OWNER,
                Elevation.UNKNOWN, null);

        UntrustedServerException e = new UntrustedServerException("connect \\\\.\\pipe\\x", elevatedAdmin, ServerTrust.system());

        assertTrue(e.getMessage().contains("sid=S-1-5-32-544 elevated=unknown session=1, its user the pipe's owner) is not running as the system"),
                e.getMessage());
    }

    @Test
    void untrustedServerExceptionNamesTheServerFoundAndSaysNothingWasSent() {
        PeerIdentity squatter = PeerIdentity.unix(9, 4242, 4242, "mallory");

        UntrustedServerException e = new UntrustedServerException("connect /tmp/x", squatter, ServerTrust.currentUser());

        assertEquals(squatter, e.server());
        assertTrue(e.getMessage().contains("pid=9 user=mallory uid=4242") && e.getMessage().contains("running as the current user")
                && e.getMessage().contains("nothing was sent"), e.getMessage());
    }
}
