package io.pipekit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.core.PeerIdentity;
import io.pipekit.core.PipeNameInUseException;
import io.pipekit.core.PipeException;
import io.pipekit.core.Transport;
import java.util.Optional;
import java.util.OptionalLong;
import io.pipekit.testing.Resources;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The shared behaviour on Unix domain sockets, natively on Linux and macOS. */
@EnabledOnOs({OS.LINUX, OS.MAC})
class UnixPipeBehaviourTest extends IdentityBehaviourSpec {

    @Override
    Transport transport() {
        return Transport.UNIX_DOMAIN_SOCKETS;
    }

    /** pipekit's sockets and the process's selectors (only pipekit makes any here), counted from /proc on Linux: exact there. */
    @Override
    long openResources() throws Exception {
        return Resources.pipekitSocketsAndSelectors();
    }

    @Override
    boolean ownResourcesAreExact() {
        return Resources.countsPipekitDescriptorsExactly();
    }

    @Override
    String resourceKind() {
        return Resources.countsPipekitDescriptorsExactly() ? "Unix sockets with a path at either end, and selectors"
                : "open socket, pipe and selector descriptors";
    }

    @Override
    int manyClients() {
        return 1000;
    }

    @Override
    void assertIsThisProcessUser(PeerIdentity identity) {
        assertEquals(OptionalLong.of(currentUid()), identity.uid(), identity::describe);
        assertEquals(Optional.of(System.getProperty("user.name")), identity.user(), identity::describe);
        assertTrue(identity.sid().isEmpty() && identity.sessionId().isEmpty(), "no Windows notions on Unix: " + identity);
        assertEquals(PeerIdentity.Source.UNIX_CREDENTIALS, identity.source());
    }

    @Override
    String anotherUser() {
        return Long.toString(currentUid() + 4242); // a uid nobody here runs as
    }

    @Override
    PeerIdentity anotherUsersClient() {
        return PeerIdentity.unixBuilder().processId(4242).uid(Long.parseLong(anotherUser())).gid(4242).build();
    }

    @Override
    boolean thisUserIsTheSystem() {
        return currentUid() == 0;
    }

    @Override
    String thisUser() {
        return System.getProperty("user.name");
    }

    /** A second server on the name: refused while the first one serves it. */
    @Override
    boolean squatOnce(String name) {
        try (PipeServer squatter = PipeServer.builder(name).transport(transport()).handler((c, r) -> r).start()) {
            return true;
        } catch (PipeNameInUseException expected) {
            return false;
        } catch (PipeException e) {
            throw new AssertionError("the squat attempt failed otherwise than refused: " + e, e);
        }
    }

    @Override
    void assertRunAsClientBehaviour(ClientInfo client) {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> client.runAsClient(() -> 1));
        assertTrue(e.getMessage().contains("not supported on Unix"), e.getMessage());
    }

    /** This process's effective uid, as pipekit's public API tells it. */
    private static long currentUid() {
        try {
            return PeerIdentity.currentProcess().uid().orElseThrow();
        } catch (PipeException e) {
            throw new AssertionError(e);
        }
    }
}
