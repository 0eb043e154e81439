package io.pipekit.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.core.PeerIdentity.Elevation;
import io.pipekit.core.PeerIdentity.IntegrityLevel;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class PeerIdentityTest {

    @Test
    void windowsIdentityDescribesItselfAsWhoamiAnswers() {
        PeerIdentity identity = PeerIdentity.windows(4242, 1, "S-1-5-21-1-2-3-1001", "HOST\\alice", Elevation.NO, IntegrityLevel.MEDIUM);

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
                PeerIdentity.windows(-1, -1, null, null, Elevation.UNKNOWN, null).describe());
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
    void untrustedServerExceptionNamesTheServersIntegrityLevelWhenKnown() {
        PeerIdentity sandboxed = PeerIdentity.windows(9, 1, "S-1-5-21-1-2-3-1001", "HOST\\alice", Elevation.NO, IntegrityLevel.LOW);

        UntrustedServerException e = new UntrustedServerException("connect \\\\.\\pipe\\x", sandboxed, ServerTrust.currentUser());

        assertTrue(e.getMessage().contains("elevated=no integrity=low) is not running as the current user (on Windows, at no lower"),
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
