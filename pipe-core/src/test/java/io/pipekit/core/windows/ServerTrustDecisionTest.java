package io.pipekit.core.windows;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.core.PeerIdentity;
import io.pipekit.core.PeerIdentity.Elevation;
import io.pipekit.core.PeerIdentity.IntegrityLevel;
import io.pipekit.core.PeerIdentity.Source;
import io.pipekit.core.PipeException;
import io.pipekit.core.ServerTrust;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The client's trust rule, decided from the facts two tokens give (issue 24, defect 8): the user
 * alone is not enough, a server below the client's own integrity level is refused by default.
 * A pure function, so it runs on every OS; LowIntegrityServerTest (pipe-it) checks it end to end
 * on Windows.
 */
class ServerTrustDecisionTest {
    private static final String ALICE = "S-1-5-21-1111-2222-3333-1001";
    private static final String BOB = "S-1-5-21-1111-2222-3333-1002";
    private static final String AGENT = "S-1-5-80-1234-5678";
    private static final ServerTrustDecision.SidLookup LOOKUP = account -> {
        if (account.startsWith("S-1-")) {
            return account; // as Tokens.sidOf does
        }
        String sid = Map.of("NT SERVICE\\agent", AGENT, "HOST\\bob", BOB).get(account);
        if (sid == null) {
            throw new io.pipekit.core.PipeIoException("LookupAccountName \"" + account + "\"", io.pipekit.core.Win32Errors.ERROR_NONE_MAPPED, "no such account");
        }
        return sid;
    };

    private static PeerIdentity alice(IntegrityLevel level) {
        return token(ALICE, level);
    }

    private static PeerIdentity token(String sid, IntegrityLevel level) {
        PeerIdentity.WindowsBuilder identity = PeerIdentity.windowsBuilder().processId(100).sessionId(1).sid(sid, Source.TOKEN)
                .elevation(Elevation.NO);
        return (level == null ? identity : identity.integrityLevel(level)).build();
    }

    /** A server whose user is unknown: then neither is its level. */
    private static PeerIdentity nobody() {
        return PeerIdentity.windowsBuilder().processId(100).sessionId(1).build();
    }

    /** A server known only by its pipe's owner, {@code owner}, in {@code session}: its token could not be opened. */
    private static PeerIdentity owner(String owner, int session) {
        PeerIdentity.WindowsBuilder identity = PeerIdentity.windowsBuilder().processId(100).sid(owner, Source.PIPE_OWNER);
        return (session < 0 ? identity : identity.sessionId(session)).build(); // -1: the session is unknown
    }

    /** A server whose process token says {@code sid}, in {@code session}. */
    private static PeerIdentity token(String sid, int session, IntegrityLevel level) {
        PeerIdentity.WindowsBuilder identity = PeerIdentity.windowsBuilder().processId(100).sessionId(session).sid(sid, Source.TOKEN)
                .elevation(Elevation.YES);
        return (level == null ? identity : identity.integrityLevel(level)).build();
    }

    private static boolean accepts(ServerTrust trust, PeerIdentity client, PeerIdentity server) throws PipeException {
        return ServerTrustDecision.accepts(trust, client, server, LOOKUP);
    }

    @Test
    void theUsersOwnServerAtTheClientsLevelOrAboveIsTrusted() throws PipeException {
        assertTrue(accepts(ServerTrust.currentUserOrSystem(), alice(IntegrityLevel.MEDIUM), alice(IntegrityLevel.MEDIUM)));
        assertTrue(accepts(ServerTrust.currentUserOrSystem(), alice(IntegrityLevel.MEDIUM), alice(IntegrityLevel.HIGH)));
        assertTrue(accepts(ServerTrust.currentUser(), alice(IntegrityLevel.LOW), alice(IntegrityLevel.LOW)),
                "a sandboxed client may talk to its own sandbox's server");
    }

    @Test
    void aSandboxedProcessOfTheSameUserIsRefusedByDefault() throws PipeException {
        PeerIdentity medium = alice(IntegrityLevel.MEDIUM);

        assertFalse(accepts(ServerTrust.currentUserOrSystem(), medium, alice(IntegrityLevel.LOW)), "a LOW squatter of the same user");
        assertFalse(accepts(ServerTrust.currentUserOrSystem(), medium, alice(IntegrityLevel.UNTRUSTED)));
        assertFalse(accepts(ServerTrust.currentUser(), medium, alice(IntegrityLevel.LOW)));
        assertFalse(accepts(ServerTrust.currentUserOrSystem(), alice(IntegrityLevel.HIGH), alice(IntegrityLevel.MEDIUM)),
                "an elevated client does not trust its user's unelevated server unless it says so");
        assertFalse(accepts(ServerTrust.user("NT SERVICE\\agent"), medium, token(AGENT, IntegrityLevel.LOW)),
                "the rule holds for a named user too");
    }

    @Test
    void allowLowerIntegrityLiftsOnlyTheLevelCheck() throws PipeException {
        ServerTrust lenient = ServerTrust.currentUserOrSystem().allowLowerIntegrity();

        assertTrue(accepts(lenient, alice(IntegrityLevel.HIGH), alice(IntegrityLevel.MEDIUM)));
        assertTrue(accepts(lenient, alice(IntegrityLevel.MEDIUM), alice(IntegrityLevel.LOW)));
        assertFalse(accepts(lenient, alice(IntegrityLevel.MEDIUM), token(BOB, IntegrityLevel.HIGH)), "still the user's own only");
        assertTrue(accepts(ServerTrust.anyServer(), alice(IntegrityLevel.MEDIUM), token(BOB, IntegrityLevel.LOW)));
    }

    @Test
    void aServerOfTheClientsOwnUserWhoseLevelCannotBeReadIsRefused() throws PipeException {
        // The client could not open the token of a process of its own user: a sandboxed squatter
        // that denied it access to its process would look like this.
        assertFalse(accepts(ServerTrust.currentUserOrSystem(), alice(IntegrityLevel.MEDIUM), alice(null)));
        assertTrue(accepts(ServerTrust.currentUserOrSystem().allowLowerIntegrity(), alice(IntegrityLevel.MEDIUM), alice(null)));
    }

    @Test
    void aServiceOfAnotherAccountKnownOnlyByThePipesOwnerIsTrustedByItsUser() throws PipeException {
        // A client may not open a LocalSystem or service process's token: the user is then the
        // pipe's owner, the level unknown. No process of the client's user can own a pipe as them.
        assertTrue(accepts(ServerTrust.currentUserOrSystem(), alice(IntegrityLevel.MEDIUM), owner(Tokens.SYSTEM_SID, 0)));
        assertTrue(accepts(ServerTrust.currentUserOrSystem(), alice(IntegrityLevel.HIGH), owner(Tokens.ADMINISTRATORS_SID, 0)));
        assertTrue(accepts(ServerTrust.currentUser().orUser("NT SERVICE\\agent"), alice(IntegrityLevel.MEDIUM), owner(AGENT, 0)));
        assertTrue(accepts(ServerTrust.currentUserOrSystem(), alice(IntegrityLevel.MEDIUM), token(Tokens.SYSTEM_SID, IntegrityLevel.SYSTEM)));
    }

    @Test
    void aClientThatCannotReadItsOwnLevelDecidesOnTheUser() throws PipeException {
        assertTrue(accepts(ServerTrust.currentUserOrSystem(), alice(null), alice(IntegrityLevel.LOW)));
    }

    @Test
    void anotherUserOrAnUnknownOneIsRefused() throws PipeException {
        assertFalse(accepts(ServerTrust.currentUserOrSystem(), alice(IntegrityLevel.MEDIUM), token(BOB, IntegrityLevel.HIGH)));
        assertFalse(accepts(ServerTrust.currentUserOrSystem(), alice(IntegrityLevel.MEDIUM), nobody()));
        assertTrue(accepts(ServerTrust.user("HOST\\bob"), alice(IntegrityLevel.MEDIUM), token(BOB, IntegrityLevel.MEDIUM)));
    }

    @Test
    void systemAcceptsWhatALocalSystemServicesPipeLooksLikeFromEitherSide() throws PipeException {
        // An administrator's client may open the service's token; a non-admin client may not, and
        // then sees the pipe's owner: LocalSystem's default owner, Administrators, in session 0.
        ServerTrust system = ServerTrust.system();
        PeerIdentity medium = alice(IntegrityLevel.MEDIUM);

        assertTrue(accepts(system, alice(IntegrityLevel.HIGH), token(Tokens.SYSTEM_SID, 0, IntegrityLevel.SYSTEM)), "the token says SYSTEM");
        assertTrue(accepts(system, medium, owner(Tokens.ADMINISTRATORS_SID, 0)), "owned by Administrators, in session 0");
        assertTrue(accepts(system, medium, owner(Tokens.SYSTEM_SID, 0)), "owned by SYSTEM");
        assertTrue(accepts(system, medium, owner(Tokens.SYSTEM_SID, 1)), "owned by SYSTEM: no other token may own as SYSTEM");
    }

    @Test
    void systemRefusesTheClientsOwnUserEvenElevatedAndEveryOtherAccount() throws PipeException {
        ServerTrust system = ServerTrust.system();
        PeerIdentity medium = alice(IntegrityLevel.MEDIUM);

        assertFalse(accepts(system, medium, alice(IntegrityLevel.MEDIUM)), "the client's own user");
        assertFalse(accepts(system, medium, token(ALICE, 1, IntegrityLevel.HIGH)), "the client's user, elevated");
        assertFalse(accepts(system, medium, owner(ALICE, 0)), "a pipe the client's user owns, even in session 0");
        assertFalse(accepts(system, medium, owner(Tokens.ADMINISTRATORS_SID, 1)),
                "an elevated administrator's pipe in an interactive session: owned by Administrators too, but not a service's");
        assertFalse(accepts(system, medium, owner(Tokens.ADMINISTRATORS_SID, -1)), "Administrators in an unknown session");
        assertFalse(accepts(system, medium, token(Tokens.ADMINISTRATORS_SID, 0, null)), "a token's user is never a group");
        assertFalse(accepts(system, medium, owner(Tokens.LOCAL_SERVICE_SID, 0)), "LocalService is not the system");
        assertFalse(accepts(system, medium, owner(BOB, 0)), "another user's service");
        assertFalse(accepts(system, medium, nobody()), "nobody known");
    }

    @Test
    void theDefaultsSystemIsTheSameRule() throws PipeException {
        ServerTrust trust = ServerTrust.currentUserOrSystem();
        PeerIdentity medium = alice(IntegrityLevel.MEDIUM);

        assertTrue(accepts(trust, medium, owner(Tokens.ADMINISTRATORS_SID, 0)));
        assertFalse(accepts(trust, medium, owner(Tokens.ADMINISTRATORS_SID, 1)), "an administrator's pipe in a user's session");
        assertTrue(accepts(trust, medium, alice(IntegrityLevel.MEDIUM)), "and the current user");
        assertTrue(accepts(ServerTrust.system().orUser(ALICE), medium, alice(IntegrityLevel.MEDIUM)), "orUser widens system()");
    }

    @Test
    void localServiceAndNetworkServiceAcceptTheirOwnAccountByTokenOrByOwner() throws PipeException {
        PeerIdentity medium = alice(IntegrityLevel.MEDIUM);

        assertTrue(accepts(ServerTrust.localService(), medium, owner(Tokens.LOCAL_SERVICE_SID, 0)));
        assertTrue(accepts(ServerTrust.localService(), alice(IntegrityLevel.HIGH), token(Tokens.LOCAL_SERVICE_SID, 0, IntegrityLevel.SYSTEM)));
        assertFalse(accepts(ServerTrust.localService(), medium, owner(Tokens.NETWORK_SERVICE_SID, 0)));
        assertFalse(accepts(ServerTrust.localService(), medium, owner(Tokens.ADMINISTRATORS_SID, 0)), "nor the system");
        assertTrue(accepts(ServerTrust.networkService(), medium, owner(Tokens.NETWORK_SERVICE_SID, 0)));
        assertFalse(accepts(ServerTrust.networkService(), medium, owner(Tokens.SYSTEM_SID, 0)));
        assertFalse(accepts(ServerTrust.networkService(), medium, alice(IntegrityLevel.MEDIUM)), "nor the client's user");
    }
}
