package io.pipekit.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.core.PipeName;
import io.pipekit.core.Transport;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every address form users write (issue 26), and a clear refusal of everything else. */
class PipeAddressTest {
    private static final PipeName DOCKER_ENGINE = PipeName.of("docker_engine");

    @ParameterizedTest
    @ValueSource(strings = {"npipe:////./pipe/docker_engine", "npipe:///./pipe/docker_engine", "NPIPE:////./PIPE/docker_engine",
            "\\\\.\\pipe\\docker_engine", "docker_engine", "  docker_engine  "})
    void everyFormOfAPipeNameIsThatPipeOverThisSystemsTransport(String form) {
        PipeAddress address = PipeAddress.parse(form);
        assertEquals(DOCKER_ENGINE, address.pipeName());
        assertEquals(Transport.forThisOs(), address.transport());
        assertEquals("\\\\.\\pipe\\docker_engine", address.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"unix:///var/run/docker.sock", "unix:/var/run/docker.sock", "/var/run/docker.sock"})
    void everyFormOfASocketPathIsThatPathOverUnixSockets(String form) {
        PipeAddress address = PipeAddress.parse(form);
        assertTrue(address.pipeName().isSocketPath());
        assertEquals("/var/run/docker.sock", address.toString());
        assertEquals(Transport.UNIX_DOMAIN_SOCKETS, address.transport());
    }

    @Test
    void equalAddressesNameTheSamePipeOverTheSameTransport() {
        assertEquals(PipeAddress.parse("npipe:////./pipe/Docker_Engine"), PipeAddress.parse("docker_engine"));
        assertEquals(PipeAddress.parse("docker_engine").hashCode(), PipeAddress.parse("DOCKER_ENGINE").hashCode());
        assertEquals(PipeAddress.parse("unix:///var/run/docker.sock"), PipeAddress.parse("/var/run/docker.sock"));
    }

    /** SQL Server's and LocalDB's pipes, and Docker's form of them: a slash in an npipe: path is the name's backslash. */
    @ParameterizedTest
    @ValueSource(strings = {"\\\\.\\pipe\\MSSQL$SQLEXPRESS\\sql\\query", "npipe:////./pipe/MSSQL$SQLEXPRESS/sql/query",
            "npipe:///./pipe/mssql$sqlexpress/SQL/query", "MSSQL$SQLEXPRESS\\sql\\query"})
    void aPipeNameWithBackslashesIsOnePipe(String form) {
        PipeAddress address = PipeAddress.parse(form);
        assertEquals(PipeName.of("mssql$sqlexpress\\sql\\query"), address.pipeName());
        assertEquals(Transport.forThisOs(), address.transport());
        assertEquals(PipeAddress.parse("\\\\.\\pipe\\MSSQL$SQLEXPRESS\\sql\\query"), address);
    }

    @Test
    void itIsAnUnresolvedInetSocketAddressWithNoIpAddressAndPortZero() {
        InetSocketAddress address = PipeAddress.parse("\\\\.\\pipe\\LOCALDB#1A2B3C4D\\tsql\\query");
        assertTrue(address.isUnresolved());
        assertNull(address.getAddress());
        assertEquals(0, address.getPort());
        String host = (Transport.forThisOs() == Transport.WINDOWS_NAMED_PIPES ? "[npipe:" : "[unix:") + "\\\\.\\pipe\\localdb#1a2b3c4d\\tsql\\query";
        assertEquals(host, address.getHostString());
        assertEquals(host, address.getHostName());
        assertEquals("\\\\.\\pipe\\LOCALDB#1A2B3C4D\\tsql\\query", address.toString());
    }

    /**
     * InetSocketAddress's final equals and hashCode compare host strings ignoring case: the host
     * string escapes whatever would make two different pipes equal that way.
     */
    @Test
    void inetSocketAddressEqualityIsPipeEquality() {
        assertNotEquals(PipeAddress.parse("/run/App.sock"), PipeAddress.parse("/run/app.sock"));
        assertEquals("[unix:/run/%41pp.sock", PipeAddress.parse("/run/App.sock").getHostString());
        assertNotEquals(PipeAddress.parse("/run/i.sock"), PipeAddress.parse("/run/\u0131.sock")); // dotless i: equalsIgnoreCase("i", "ı")
        assertNotEquals(PipeAddress.parse("/run/%41pp.sock"), PipeAddress.parse("/run/App.sock"));
        assertNotEquals(PipeAddress.parse("/run/a]"), PipeAddress.parse("/run/a%5d"));
        assertEquals(PipeAddress.parse("Ação"), PipeAddress.parse("aÇÃO"));
        assertEquals(PipeAddress.parse("Ação").hashCode(), PipeAddress.parse("aÇÃO").hashCode());
        assertNotEquals(PipeAddress.parse("a"), PipeAddress.parse("/a"));
        assertNotEquals(PipeAddress.parse("a"), InetSocketAddress.createUnresolved("a", 0));
    }

    @Test
    void equalityAndHashCodeHoldInATurkishLocale() {
        Locale was = Locale.getDefault();
        try {
            Locale.setDefault(Locale.forLanguageTag("tr-TR"));
            PipeAddress upper = PipeAddress.parse("PIPE");
            PipeAddress lower = PipeAddress.parse("pipe");
            assertEquals(upper, lower);
            assertEquals(upper.hashCode(), lower.hashCode());
        } finally {
            Locale.setDefault(was);
        }
    }

    /** A plain Socket refuses it as an unresolved host, without asking any name service. */
    @Test
    void aPlainSocketRefusesToConnectToIt() {
        try (Socket socket = new Socket()) {
            UnknownHostException e = assertThrows(UnknownHostException.class, () -> socket.connect(PipeAddress.parse("/run/x.sock"), 1000));
            assertTrue(e.getMessage().contains("[unix:/run/x.sock"), e.getMessage());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aPipeSocketConnectsOnlyToItsOwnPipeAddress() throws Exception {
        try (Socket socket = PipeSocketFactory.of("/run/pipekit-nothing-here.sock").createSocket()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> socket.connect(PipeAddress.parse("/run/other.sock")));
            assertTrue(e.getMessage().contains("not to /run/other.sock"), e.getMessage());
        }
    }

    @Test
    void aStreamWhoseHostStringIsNotItsPipesIsRefused() throws Exception {
        byte[] bytes = serialized(PipeAddress.parse("/run/app.sock"));
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        byte[] tampered = text.replace("/run/app.sock", "/run/APP.sock").getBytes(StandardCharsets.ISO_8859_1);
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(tampered))) {
            assertThrows(InvalidObjectException.class, in::readObject);
        }
    }

    private static byte[] serialized(Object object) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(object);
        }
        return bytes.toByteArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "tcp://localhost:2375", "http://localhost", "ssh://user@host", "fd://", "localhost:2375",
            "npipe:", "npipe://server/pipe/docker_engine", "npipe:////server/pipe/docker_engine", "npipe:./pipe/docker_engine",
            "npipe://///./pipe/docker_engine", "npipe:////./pipe/", "npipe:////./pipe/a/../b", "npipe:////./pipe//a",
            "npipe:////./pipe/a/", "\\\\.\\pipe\\a\\..\\..\\b", "\\\\.\\pipe\\\\a", "unix://var/run/docker.sock", "unix:",
            "\\\\server\\pipe\\docker_engine", "relative/path.sock", "a\u0001b"})
    void anythingElseIsRefusedNamingTheAcceptedForms(String form) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PipeAddress.parse(form));
        assertTrue(e.getMessage().contains("'" + form + "'"), e.getMessage());
        assertTrue(e.getMessage().contains(PipeAddress.ACCEPTED_FORMS), e.getMessage());
    }

    @Test
    void aTcpDockerHostSaysItIsNotLocal() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PipeAddress.parse("tcp://127.0.0.1:2375"));
        assertTrue(e.getMessage().contains("a tcp: address is not a local pipe or socket"), e.getMessage());
    }

    @Test
    void dockerHostHoldsAnyFormAndDefaultsToDockersOwnAddressPerSystem() {
        assertEquals(PipeAddress.parse("docker_engine"), PipeAddress.dockerHost("npipe:////./pipe/docker_engine", Transport.forThisOs()));
        assertEquals(PipeAddress.parse("/run/user/1000/docker.sock"),
                PipeAddress.dockerHost("unix:///run/user/1000/docker.sock", Transport.forThisOs()));
        assertEquals(PipeAddress.parse("/var/run/docker.sock"), PipeAddress.dockerHost(null, Transport.UNIX_DOMAIN_SOCKETS));
        assertEquals(PipeAddress.parse("/var/run/docker.sock"), PipeAddress.dockerHost("", Transport.UNIX_DOMAIN_SOCKETS));
        assertEquals(PipeAddress.parse("docker_engine"), PipeAddress.dockerHost(null, Transport.WINDOWS_NAMED_PIPES));
    }

    @Test
    void aDockerHostOfAnotherKindIsRefusedNamingTheVariable() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PipeAddress.dockerHost("tcp://docker:2376", Transport.UNIX_DOMAIN_SOCKETS));
        assertTrue(e.getMessage().startsWith("DOCKER_HOST: not a pipe or socket address: 'tcp://docker:2376'"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"unix:///var/run/docker.sock", "\\\\.\\pipe\\MSSQL$X\\sql\\query"})
    void anAddressSurvivesSerialization(String form) throws Exception {
        PipeAddress address = PipeAddress.parse(form);
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(serialized(address)))) {
            PipeAddress read = (PipeAddress) in.readObject();
            assertEquals(address, read);
            assertEquals(address.toString(), read.toString());
            assertEquals(address.pipeName(), read.pipeName());
            assertEquals(address.getHostString(), read.getHostString());
        }
    }
}
