package io.pipekit.core.windows;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.core.PeerIdentity;
import io.pipekit.core.PeerIdentity.Elevation;
import io.pipekit.core.PeerIdentity.IntegrityLevel;
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
        String sid = Map.of("NT SERVICE\\agent", AGENT, "HOST\\bob", BOB).get(account);
        if (sid == null) {
            throw new io.pipekit.core.PipeIoException("LookupAccountName \"" + account + "\"", 1332, "no such account");
        }
        return sid;
    };

    private static PeerIdentity alice(IntegrityLevel level) {
        return token(ALICE, level);
    }

    private static PeerIdentity token(String sid, IntegrityLevel level) {
        return PeerIdentity.windows(100, 1, sid, null, Elevation.NO, level);
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
        assertTrue(accepts(ServerTrust.currentUserOrSystem(), alice(IntegrityLevel.MEDIUM), token(Tokens.SYSTEM_SID, null)));
        assertTrue(accepts(ServerTrust.currentUserOrSystem(), alice(IntegrityLevel.HIGH), token(Tokens.ADMINISTRATORS_SID, null)));
        assertTrue(accepts(ServerTrust.currentUser().orUser("NT SERVICE\\agent"), alice(IntegrityLevel.MEDIUM), token(AGENT, null)));
        assertTrue(accepts(ServerTrust.currentUserOrSystem(), alice(IntegrityLevel.MEDIUM), token(Tokens.SYSTEM_SID, IntegrityLevel.SYSTEM)));
    }

    @Test
    void aClientThatCannotReadItsOwnLevelDecidesOnTheUser() throws PipeException {
        assertTrue(accepts(ServerTrust.currentUserOrSystem(), alice(null), alice(IntegrityLevel.LOW)));
    }

    @Test
    void anotherUserOrAnUnknownOneIsRefused() throws PipeException {
        assertFalse(accepts(ServerTrust.currentUserOrSystem(), alice(IntegrityLevel.MEDIUM), token(BOB, IntegrityLevel.HIGH)));
        assertFalse(accepts(ServerTrust.currentUserOrSystem(), alice(IntegrityLevel.MEDIUM), token(null, IntegrityLevel.HIGH)));
        assertTrue(accepts(ServerTrust.user("HOST\\bob"), alice(IntegrityLevel.MEDIUM), token(BOB, IntegrityLevel.MEDIUM)));
    }
}
