package io.pipekit.it.sockets;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pipekit.core.Transport;
import java.net.Socket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** {@link PipeServerSocketSpec} on Unix domain sockets, natively on Linux and macOS. */
@EnabledOnOs({OS.LINUX, OS.MAC})
class UnixPipeServerSocketTest extends PipeServerSocketSpec {
    @Override
    Transport transport() {
        return Transport.UNIX_DOMAIN_SOCKETS;
    }

    /** Half-close both ways: each side reads the other's end of the stream, and still writes. */
    @Test
    void eachSideHalfClosesAndTheOtherStillAnswers() throws Exception {
        var server = listen();
        Socket client = connect();
        Socket served = accept(server);
        client.getOutputStream().write("request".getBytes(UTF_8));
        client.shutdownOutput();
        assertEquals("request", new String(served.getInputStream().readAllBytes(), UTF_8)); // to the client's half-close
        served.getOutputStream().write("answer".getBytes(UTF_8));
        served.shutdownOutput();
        assertEquals("answer", new String(client.getInputStream().readAllBytes(), UTF_8)); // to the server's
    }
}
