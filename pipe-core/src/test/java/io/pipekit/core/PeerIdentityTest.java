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
        PeerIdentity identity = PeerIdentity.windowsBuilder().processId(4242).sessionId(1).sid("S-1-5-21-1-2-3-1001", Source.TOKEN)
                .user("HOST\\alice").elevation(Elevation.NO).integrityLevel(IntegrityLevel.MEDIUM).build();

        assertEquals("pid=4242 user=HOST\\alice sid=S-1-5-21-1-2-3-1001 elevated=no", identity.describe());
        assertEquals(OptionalInt.of(1), identity.sessionId());
        assertEquals(OptionalLong.empty(), identity.uid());
        assertEquals(Optional.of(IntegrityLevel.MEDIUM), identity.integrityLevel());
    }

    @Test
    void unixIdentityHasAUidAndNoWindowsNotions() {
        PeerIdentity identity = PeerIdentity.unixBuilder().processId(77).uid(1000).gid(100).user("alice").build();

        assertEquals("pid=77 user=alice uid=1000 elevated=unknown", identity.describe());
        assertEquals(OptionalLong.of(100), identity.gid());
        assertTrue(identity.sid().isEmpty() && identity.sessionId().isEmpty() && identity.integrityLevel().isEmpty());
    }

    @Test
    void whatTheOsWouldNotTellReadsUnknownNotMinusOne() {
        PeerIdentity identity = PeerIdentity.unixBuilder().uid(1000).build();

        assertEquals("pid=unknown user=unknown uid=1000 elevated=unknown", identity.describe());
        assertEquals(OptionalLong.empty(), identity.processId());
        assertEquals(OptionalLong.empty(), identity.gid());
        assertEquals("pid=unknown user=unknown sid=unknown elevated=unknown",
                PeerIdentity.windowsBuilder().build().describe());
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
        PeerIdentity token = PeerIdentity.windowsBuilder().processId(4).sessionId(0).sid("S-1-5-18", Source.TOKEN)
                .user("NT AUTHORITY\\SYSTEM").elevation(Elevation.YES).integrityLevel(IntegrityLevel.SYSTEM).build();
        PeerIdentity owner = PeerIdentity.windowsBuilder().processId(4).sessionId(0).sid("S-1-5-18", Source.PIPE_OWNER)
                .user("NT AUTHORITY\\SYSTEM").build();

        assertEquals(Source.TOKEN, token.source());
        assertEquals(Source.PIPE_OWNER, owner.source());
        assertNotEquals(token, owner, "the same facts from another source are another identity");
        assertEquals("pid=4 user=NT AUTHORITY\\SYSTEM sid=S-1-5-18 elevated=unknown", owner.describe(),
                "describe() keeps the --whoami format; the pipe's owner says nothing of elevation");
        assertEquals(Source.UNIX_CREDENTIALS, PeerIdentity.unixBuilder().processId(7).uid(1000).gid(100).user("alice").build().source());
        assertEquals(Source.UNKNOWN, PeerIdentity.unixBuilder().processId(7).build().source());
        assertEquals(Source.UNKNOWN, PeerIdentity.windowsBuilder().processId(7).sessionId(1).build().source());
        assertThrows(IllegalArgumentException.class, () -> PeerIdentity.windowsBuilder().sid("S-1-5-18", Source.UNKNOWN),
                "a user from nowhere");
        assertThrows(IllegalArgumentException.class, () -> PeerIdentity.windowsBuilder().sid("S-1-5-18", Source.UNIX_CREDENTIALS));
    }

    @Test
    void untrustedServerExceptionNamesTheServersIntegrityLevelWhenKnown() {
        PeerIdentity sandboxed = PeerIdentity.windowsBuilder().processId(9).sessionId(1).sid("S-1-5-21-1-2-3-1001", Source.TOKEN)
                .user("HOST\\alice").elevation(Elevation.NO).integrityLevel(IntegrityLevel.LOW).build();

        UntrustedServerException e = new UntrustedServerException("connect \\\\.\\pipe\\x", sandboxed, ServerTrust.currentUser());

        assertTrue(e.getMessage().contains("elevated=no integrity=low) is not running as the current user (on Windows, at no lower"),
                e.getMessage());
    }

    @Test
    void untrustedServerExceptionSaysWhenTheUserIsThePipesOwnerAndItsSession() {
        PeerIdentity elevatedAdmin = PeerIdentity.windowsBuilder().processId(9).sessionId(1).sid("S-1-5-32-544", Source.PIPE_OWNER)
                .user("BUILTIN\\Administrators").build();

        UntrustedServerException e = new UntrustedServerException("connect \\\\.\\pipe\\x", elevatedAdmin, ServerTrust.system());

        assertTrue(e.getMessage().contains("sid=S-1-5-32-544 elevated=unknown session=1, its user the pipe's owner) is not running as the system"),
                e.getMessage());
    }

    @Test
    void untrustedServerExceptionNamesTheServerFoundAndSaysNothingWasSent() {
        PeerIdentity squatter = PeerIdentity.unixBuilder().processId(9).uid(4242).gid(4242).user("mallory").build();

        UntrustedServerException e = new UntrustedServerException("connect /tmp/x", squatter, ServerTrust.currentUser());

        assertEquals(squatter, e.server());
        assertTrue(e.getMessage().contains("pid=9 user=mallory uid=4242") && e.getMessage().contains("running as the current user")
                && e.getMessage().contains("nothing was sent"), e.getMessage());
    }

    /**
     * Review of issue 25 (C): the positional windows(...) took the SID and the account name side by
     * side, swapped silently, and threw an NPE for the null elevation its javadoc allowed. The
     * builder names each fact and refuses a value or a combination that cannot be at once.
     */
    @Test
    void theBuildersRefuseFactsThatCannotBeOrDoNotFit() {
        assertThrows(IllegalArgumentException.class, () -> PeerIdentity.windowsBuilder().sid("HOST\\alice", Source.TOKEN),
                "an account name where the SID goes");
        assertThrows(NullPointerException.class, () -> PeerIdentity.windowsBuilder().elevation(null), "unknown is UNKNOWN, or unset");
        assertThrows(IllegalArgumentException.class, () -> PeerIdentity.windowsBuilder().processId(-1), "unknown is unset, not -1");
        assertThrows(IllegalArgumentException.class, () -> PeerIdentity.unixBuilder().uid(-1));
        assertThrows(IllegalArgumentException.class, () -> PeerIdentity.windowsBuilder().user("HOST\\alice").build(),
                "an account name without its SID");
        assertThrows(IllegalArgumentException.class,
                () -> PeerIdentity.windowsBuilder().sid("S-1-5-18", Source.PIPE_OWNER).elevation(Elevation.YES).build(),
                "the pipe's owner says nothing of elevation");
        assertThrows(IllegalArgumentException.class, () -> PeerIdentity.windowsBuilder().integrityLevel(IntegrityLevel.LOW).build(),
                "no user, no token to read a level from");

        assertEquals(Optional.of("S-1-0x1A2B3C4D5E6F-7"), PeerIdentity.windowsBuilder().sid("S-1-0x1A2B3C4D5E6F-7", Source.TOKEN).build().sid(),
                "an authority beyond 32 bits, which ConvertSidToStringSid writes in hex");

        PeerIdentity unknown = PeerIdentity.windowsBuilder().build();
        assertEquals(Source.UNKNOWN, unknown.source());
        assertEquals(Elevation.UNKNOWN, unknown.elevation());
        assertTrue(unknown.sid().isEmpty() && unknown.user().isEmpty() && unknown.processId().isEmpty()
                && unknown.sessionId().isEmpty() && unknown.integrityLevel().isEmpty() && unknown.uid().isEmpty());
        assertEquals(PeerIdentity.unixBuilder().uid(5).build(), PeerIdentity.unixBuilder().uid(5).build(), "a value class");
    }

    /**
     * Review of issue 25 (L): UntrustedServerException's server was transient, so server() was null
     * once the exception had been serialized (to a log shipper, over RMI); and the constructor
     * dereferenced a null server before any check. PeerIdentity is a serializable value now,
     * rebuilt through its validating builder, and the constructor refuses nulls by name.
     */
    @Test
    void untrustedServerExceptionKeepsItsServerThroughSerialization() throws Exception {
        PeerIdentity windows = PeerIdentity.windowsBuilder().processId(9).sessionId(0).sid("S-1-5-32-544", Source.PIPE_OWNER)
                .user("BUILTIN\\Administrators").build();
        PeerIdentity unix = PeerIdentity.unixBuilder().processId(9).uid(4242).gid(4242).user("mallory").build();
        for (PeerIdentity server : java.util.List.of(windows, unix, PeerIdentity.windowsBuilder().build())) {
            UntrustedServerException sent = new UntrustedServerException("connect x", server, ServerTrust.currentUser());
            UntrustedServerException received = roundTrip(sent);
            assertEquals(server, received.server());
            assertEquals(sent.getMessage(), received.getMessage());
        }

        NullPointerException noServer = assertThrows(NullPointerException.class,
                () -> new UntrustedServerException("connect x", null, ServerTrust.currentUser()));
        assertEquals("server", noServer.getMessage());
        NullPointerException noTrust = assertThrows(NullPointerException.class, () -> new UntrustedServerException("connect x", unix, null));
        assertEquals("trust", noTrust.getMessage());
    }

    /** A serialized identity whose facts do not fit is refused as the builder refuses them. */
    @Test
    void aForgedSerializedIdentityIsRefused() throws Exception {
        PeerIdentity real = PeerIdentity.windowsBuilder().sid("S-1-5-18", Source.TOKEN).build();
        byte[] bytes = serialized(real);
        byte[] forged = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1).replace("S-1-5-18", "HOST\\bob")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        java.io.InvalidObjectException refused = assertThrows(java.io.InvalidObjectException.class, () -> deserialized(forged));
        assertTrue(refused.getMessage().contains("not a SID"), refused.getMessage());
    }

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T value) throws Exception {
        return (T) deserialized(serialized(value));
    }

    private static byte[] serialized(Object value) throws java.io.IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        return bytes.toByteArray();
    }

    private static Object deserialized(byte[] bytes) throws Exception {
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes))) {
            return in.readObject();
        }
    }
}
