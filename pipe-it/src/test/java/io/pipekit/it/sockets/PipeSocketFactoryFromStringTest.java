package io.pipekit.it.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.client.PipeAddress;
import io.pipekit.client.PipeSocketFactory;
import io.pipekit.core.PipeType;
import io.pipekit.core.ServerTrust;
import io.pipekit.server.PipeServer;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import javax.net.SocketFactory;
import org.junit.jupiter.api.Test;
import org.postgresql.util.ObjectFactory;

/**
 * {@link PipeSocketFactory#PipeSocketFactory(String)}: the factory a library makes from a class
 * name and one string, as JDBC drivers do.
 */
class PipeSocketFactoryFromStringTest {
    @Test
    void theStringIsAnAddressInAnyFormParseTakes() {
        assertEquals(PipeAddress.parse("unix:///run/x.sock"), new PipeSocketFactory("unix:///run/x.sock").address());
        assertEquals(PipeAddress.parse("npipe:////./pipe/docker_engine"), new PipeSocketFactory("npipe:////./pipe/docker_engine").address());
        assertEquals(PipeAddress.parse("\\\\.\\pipe\\LOCALDB#1A2B3C4D"), new PipeSocketFactory("\\\\.\\pipe\\LOCALDB#1A2B3C4D").address());
    }

    @Test
    void serverUserOptionsFollowTheAddressAndAddTheirUsersToTheDefaultTrust() {
        PipeSocketFactory factory = new PipeSocketFactory("unix:///run/x.sock?serverUser=root&serverUser=0");
        assertEquals(PipeAddress.parse("unix:///run/x.sock"), factory.address());
        ServerTrust trust = factory.serverTrust();
        assertEquals(List.of("root", "0"), trust.users());
        assertTrue(trust.acceptsCurrentUser() && trust.acceptsSystem(), () -> "the default trust as well: " + trust);
        assertEquals(List.of(), new PipeSocketFactory("unix:///run/x.sock").serverTrust().users(), "no option, no user added");
    }

    @Test
    void aServerOfTheCurrentUserIsStillAcceptedWhenAServerUserIsNamed() throws Exception {
        String name = "pipekit-fromstring-" + UUID.randomUUID();
        try (PipeServer server = PipeServer.builder(name).pipeType(PipeType.BYTE)
                        .streamHandler((connection, in, out) -> out.write(in.read())).start();
                Socket socket = new PipeSocketFactory(name + "?serverUser=root").withConnectTimeout(Duration.ofSeconds(30))
                        .createSocket("localhost", 5432)) {
            socket.getOutputStream().write(42);
            assertEquals(42, socket.getInputStream().read());
        }
    }

    /** pgjdbc tries a Properties constructor, then a String one, then none: the String one is taken. */
    @Test
    void pgjdbcMakesItFromItsSocketFactoryArg() throws Exception {
        SocketFactory made = ObjectFactory.instantiate(SocketFactory.class, "io.pipekit.client.PipeSocketFactory", new Properties(),
                true, "unix:///var/run/postgresql/.s.PGSQL.5432");
        assertEquals(PipeAddress.parse("/var/run/postgresql/.s.PGSQL.5432"), ((PipeSocketFactory) made).address());
    }

    @Test
    void anUnknownOptionIsRefusedByName() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> new PipeSocketFactory("unix:///run/x.sock?user=postgres"));
        assertTrue(refused.getMessage().contains("\"user=postgres\" is not an option"), refused.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new PipeSocketFactory("unix:///run/x.sock?serverUser="));
    }

    @Test
    void anUnknownUserIsRefusedAtOnceNotAtTheFirstConnect() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> new PipeSocketFactory("unix:///run/x.sock?serverUser=no-such-user-pipekit"));
        assertTrue(refused.getMessage().contains("no-such-user-pipekit"), refused.getMessage());
    }

    @Test
    void aBadAddressNamesTheFormsAndNoArgumentSaysWhatIsMissing() {
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new PipeSocketFactory("tcp://localhost:2375"));
        assertTrue(refused.getMessage().contains("unix:///"), refused.getMessage());
        NullPointerException missing = assertThrows(NullPointerException.class, () -> new PipeSocketFactory((String) null));
        assertTrue(missing.getMessage().contains("socketFactoryArg"), missing.getMessage());
    }
}
