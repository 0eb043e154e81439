package io.pipekit.server;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.core.Transport;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** {@link ServerClaimsSpec} on Unix domain sockets. */
@EnabledOnOs({OS.LINUX, OS.MAC})
class UnixServerClaimsTest extends ServerClaimsSpec {

    @Override
    Transport transport() {
        return Transport.UNIX_DOMAIN_SOCKETS;
    }

    /** Sockets have no impersonation: security.md says to decide from the uid instead. */
    @Override
    void assertConnectionRunAsClient(Connection connection) {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> connection.runAsClient(() -> 1));
        assertTrue(e.getMessage().contains("not supported on Unix"), e.getMessage());
    }

    @Override
    void assertConnectionRunAsClientAfterItClosed(Connection connection) {
        assertThrows(UnsupportedOperationException.class, () -> connection.runAsClient(() -> 1));
    }
}
