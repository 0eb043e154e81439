package io.pipekit.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.core.PipeName;
import io.pipekit.core.Transport;
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

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "tcp://localhost:2375", "http://localhost", "ssh://user@host", "fd://", "localhost:2375",
            "npipe:", "npipe://server/pipe/docker_engine", "npipe:////server/pipe/docker_engine", "npipe:./pipe/docker_engine",
            "npipe://///./pipe/docker_engine", "npipe:////./pipe/", "npipe:////./pipe/a/b", "unix://var/run/docker.sock", "unix:",
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

    @Test
    void anAddressSurvivesSerialization() throws Exception {
        PipeAddress address = PipeAddress.parse("unix:///var/run/docker.sock");
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(address);
        }
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            assertEquals(address, in.readObject());
        }
    }
}
