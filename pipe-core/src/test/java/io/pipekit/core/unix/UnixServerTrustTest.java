package io.pipekit.core.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.core.PeerIdentity;
import io.pipekit.core.ServerTrust;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The client's decision on a Unix server, by the uid the kernel recorded for it: the default
 * trust accepts the client's own uid and root, and nobody else (docs/security.md).
 */
@EnabledOnOs({OS.LINUX, OS.MAC})
class UnixServerTrustTest {
    private static final long ME = PeerCredentials.currentUid();
    /** A uid that is neither this process's nor root's. */
    private static final long OTHER = ME == 54321 ? 54322 : 54321;

    @Test
    void theDefaultAcceptsTheCurrentUserAndRoot() {
        ServerTrust trust = ServerTrust.currentUserOrSystem();

        assertTrue(PeerCredentials.trusted(server(ME), trust), "the client's own uid " + ME);
        assertTrue(PeerCredentials.trusted(server(0), trust), "root");
    }

    @Test
    void theDefaultRefusesAnyOtherUid() {
        assertFalse(PeerCredentials.trusted(server(OTHER), ServerTrust.currentUserOrSystem()));
    }

    @Test
    void currentUserOnlyAcceptsRootOnlyWhenRootIsTheCurrentUser() {
        assertEquals(ME == 0, PeerCredentials.trusted(server(0), ServerTrust.currentUser()), "current uid " + ME);
        assertTrue(PeerCredentials.trusted(server(ME), ServerTrust.currentUser()));
        assertFalse(PeerCredentials.trusted(server(OTHER), ServerTrust.currentUser()));
    }

    @Test
    void aServerWhoseUidIsUnknownIsRefusedUnlessAnyServerIsAccepted() {
        PeerIdentity unknown = PeerIdentity.unixBuilder().build();

        assertFalse(PeerCredentials.trusted(unknown, ServerTrust.currentUserOrSystem()));
        assertTrue(PeerCredentials.trusted(unknown, ServerTrust.anyServer()));
        assertTrue(PeerCredentials.trusted(server(OTHER), ServerTrust.anyServer()));
    }

    @Test
    void aNamedUserIsMatchedByUidGivenAsANumberOrAName() {
        assertTrue(PeerCredentials.trusted(server(OTHER), ServerTrust.user(Long.toString(OTHER))));
        assertFalse(PeerCredentials.trusted(server(0), ServerTrust.user(Long.toString(OTHER))), "user(x) alone is not root");
        assertTrue(PeerCredentials.trusted(server(0), ServerTrust.user("root")), "root by name");
        assertTrue(PeerCredentials.trusted(server(OTHER), ServerTrust.currentUser().orUser(Long.toString(OTHER))));
    }

    @Test
    void systemIsRootAlone() {
        assertTrue(PeerCredentials.trusted(server(0), ServerTrust.system()));
        assertEquals(ME == 0, PeerCredentials.trusted(server(ME), ServerTrust.system()), "the current uid " + ME + " only if it is root");
        assertFalse(PeerCredentials.trusted(server(OTHER), ServerTrust.system()));
    }

    @Test
    void theWindowsServiceAccountsAcceptNoServerOnUnix() {
        for (ServerTrust trust : new ServerTrust[] {ServerTrust.localService(), ServerTrust.networkService()}) {
            assertFalse(PeerCredentials.trusted(server(0), trust), trust::describe);
            assertFalse(PeerCredentials.trusted(server(ME), trust), trust::describe);
            assertFalse(PeerCredentials.trusted(server(OTHER), trust), trust::describe);
        }
    }

    private static PeerIdentity server(long uid) {
        return PeerIdentity.unixBuilder().processId(4242).uid(uid).gid(uid).build();
    }
}
