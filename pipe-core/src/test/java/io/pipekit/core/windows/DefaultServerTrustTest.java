package io.pipekit.core.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.pipekit.core.PeerIdentity;
import io.pipekit.core.PeerIdentity.Elevation;
import io.pipekit.core.PeerIdentity.IntegrityLevel;
import io.pipekit.core.PipeException;
import io.pipekit.core.ServerTrust;
import io.pipekit.testing.WindowsOnly;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The client's decision on a Windows server, from identity facts: the default trust accepts the
 * client's own user, {@code LocalSystem} and a pipe owned by {@code BUILTIN\Administrators} created in session 0, and
 * nobody else; and where the server's process token cannot be opened (a service of another user),
 * the pipe's owner stands in for its user. Wine has one user, so no real server of another user
 * exists there: these facts are what such a server would give (docs/security.md). The servers
 * here run at the client's own integrity level, so that the user alone decides: the level's own
 * rule is {@link ServerTrustDecisionTest}'s.
 */
@WindowsOnly
class DefaultServerTrustTest {
    private static final String ANOTHER_USER = "S-1-5-21-1111111111-2222222222-3333333333-1001";
    private static final String LOCAL_SERVICE = "S-1-5-19";
    private static final String NETWORK_SERVICE = "S-1-5-20";

    @Test
    void theDefaultAcceptsTheCurrentUserLocalSystemAndAnAdministratorsOwnedPipe() throws Exception {
        ServerTrust trust = ServerTrust.currentUserOrSystem();

        assertTrue(PipeServerIdentity.trusted(server(Tokens.currentUserSid()), trust), "the client's own user");
        assertTrue(PipeServerIdentity.trusted(server(Tokens.SYSTEM_SID), trust), "LocalSystem");
        assertTrue(PipeServerIdentity.trusted(ownedBy(Tokens.ADMINISTRATORS_SID, 0), trust), "a pipe owned by Administrators, in session 0");
        assertFalse(PipeServerIdentity.trusted(ownedBy(Tokens.ADMINISTRATORS_SID, 1), trust),
                "a pipe owned by Administrators in a user's session: an elevated administrator's");
    }

    @Test
    void systemAcceptsLocalSystemAndAServicesAdministratorsOwnedPipeButNotThisUser() throws Exception {
        ServerTrust trust = ServerTrust.system();

        assertTrue(PipeServerIdentity.trusted(server(Tokens.SYSTEM_SID), trust), "LocalSystem, by its token");
        assertTrue(PipeServerIdentity.trusted(ownedBy(Tokens.ADMINISTRATORS_SID, 0), trust), "a service's pipe, by its owner");
        assertFalse(PipeServerIdentity.trusted(server(Tokens.currentUserSid()), trust), "the client's own user");
        assertFalse(PipeServerIdentity.trusted(ownedBy(Tokens.currentUserSid(), 0), trust), "the client's own user, by the owner");
        assertTrue(PipeServerIdentity.trusted(ownedBy(LOCAL_SERVICE, 0), ServerTrust.localService()));
        assertTrue(PipeServerIdentity.trusted(ownedBy(NETWORK_SERVICE, 0), ServerTrust.networkService()));
        assertFalse(PipeServerIdentity.trusted(ownedBy(NETWORK_SERVICE, 0), trust));
    }

    @Test
    void theDefaultRefusesEveryOtherUserIncludingTheOtherServiceAccounts() throws Exception {
        ServerTrust trust = ServerTrust.currentUserOrSystem();

        assertFalse(PipeServerIdentity.trusted(server(ANOTHER_USER), trust), "another user: the squatter's position");
        assertFalse(PipeServerIdentity.trusted(server(LOCAL_SERVICE), trust), "LocalService is not the system");
        assertFalse(PipeServerIdentity.trusted(server(NETWORK_SERVICE), trust), "NetworkService is not the system");
    }

    @Test
    void aServerWhoseUserIsUnknownIsRefusedUnlessAnyServerIsAccepted() throws Exception {
        PeerIdentity unknown = PeerIdentity.windowsBuilder().processId(4242).sessionId(1).build();

        assertFalse(PipeServerIdentity.trusted(unknown, ServerTrust.currentUserOrSystem()));
        assertTrue(PipeServerIdentity.trusted(unknown, ServerTrust.anyServer()));
        assertTrue(PipeServerIdentity.trusted(server(ANOTHER_USER), ServerTrust.anyServer()));
    }

    @Test
    void currentUserOnlyLeavesTheSystemOut() throws Exception {
        ServerTrust trust = ServerTrust.currentUser();

        assertTrue(PipeServerIdentity.trusted(server(Tokens.currentUserSid()), trust));
        assertFalse(PipeServerIdentity.trusted(server(Tokens.SYSTEM_SID), trust), "LocalSystem");
        assertFalse(PipeServerIdentity.trusted(server(Tokens.ADMINISTRATORS_SID), trust), "Administrators");
    }

    @Test
    void aNamedUserIsMatchedBySidWhateverItsCase() throws Exception {
        ServerTrust trust = ServerTrust.user(ANOTHER_USER.toLowerCase(java.util.Locale.ROOT));

        assertTrue(PipeServerIdentity.trusted(server(ANOTHER_USER), trust));
        assertFalse(PipeServerIdentity.trusted(server(Tokens.currentUserSid()), trust), "user(x) alone is not the current user");
        assertFalse(PipeServerIdentity.trusted(server(Tokens.SYSTEM_SID), trust), "user(x) alone is not the system");
        assertTrue(PipeServerIdentity.trusted(server(Tokens.SYSTEM_SID), ServerTrust.currentUser().orUser("S-1-5-18")));
    }

    @Test
    void withoutTheProcessTokenThePipesOwnerIsTheServersUser() throws Exception {
        // A LocalSystem service's pipe: the client may not open the service's token, and the pipe is
        // owned by Administrators (what a service or an elevated administrator creates).
        PeerIdentity server = PipeServerIdentity.identity(4242, 0, null, () -> Tokens.ADMINISTRATORS_SID);

        assertEquals(Optional.of(Tokens.ADMINISTRATORS_SID), server.sid());
        assertEquals(Optional.ofNullable(Tokens.accountName(Tokens.ADMINISTRATORS_SID)), server.user());
        assertEquals(Elevation.UNKNOWN, server.elevation(), "the token was not read: elevation is unknown");
        assertEquals(PeerIdentity.Source.PIPE_OWNER, server.source());
        assertEquals(Optional.empty(), server.integrityLevel());
        assertEquals(4242, server.processId().getAsLong());
        assertTrue(PipeServerIdentity.trusted(server, ServerTrust.currentUserOrSystem()), "the default accepts it");
        assertFalse(PipeServerIdentity.trusted(server, ServerTrust.currentUser()));

        PeerIdentity squatter = PipeServerIdentity.identity(4243, 1, null, () -> ANOTHER_USER);
        assertFalse(PipeServerIdentity.trusted(squatter, ServerTrust.currentUserOrSystem()), "a pipe another user owns");
    }

    @Test
    void theProcessTokenWinsAndThenTheOwnerIsNotRead() throws PipeException {
        Tokens.Facts facts = new Tokens.Facts(Tokens.SYSTEM_SID, "NT AUTHORITY\\SYSTEM", Elevation.YES, IntegrityLevel.SYSTEM);

        PeerIdentity server = PipeServerIdentity.identity(4, 0, facts, () -> fail("the owner was read though the token was"));

        assertEquals(Optional.of(Tokens.SYSTEM_SID), server.sid());
        assertEquals(Elevation.YES, server.elevation());
        assertEquals(PeerIdentity.Source.TOKEN, server.source());
        assertEquals(Optional.of(IntegrityLevel.SYSTEM), server.integrityLevel());
    }

    /** A server known by its pipe's owner, {@code sid}, in {@code session}: its token could not be opened. */
    private static PeerIdentity ownedBy(String sid, int session) throws PipeException {
        return PipeServerIdentity.identity(4242, session, null, () -> sid);
    }

    /** A server of {@code sid} at this process's own integrity level. */
    private static PeerIdentity server(String sid) throws PipeException {
        PeerIdentity.IntegrityLevel level = Tokens.currentProcess().integrity();
        PeerIdentity.WindowsBuilder identity = PeerIdentity.windowsBuilder().processId(4242).sessionId(1).sid(sid, PeerIdentity.Source.TOKEN);
        return (level == null ? identity : identity.integrityLevel(level)).build();
    }
}
