package io.pipekit.it.sockets;

import static io.pipekit.it.sockets.PipeSocketSpec.PATIENCE;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pipekit.core.Transport;
import io.pipekit.it.ChildProcess;
import io.pipekit.server.PipeServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

    /**
     * Review of issue 26: a client that closes (not half-closes) has left, and its accepted
     * connection ends with it on the server, the socket left open or not: the server under a
     * closed server socket ends once its clients are gone. (Every end of stream was taken for a
     * half-close: the connection, its descriptor and the server thread stayed.)
     */
    @Test
    void aClientThatClosesEndsItsAcceptedConnectionOnTheServer() throws Exception {
        PipeServerSocket server = listen();
        Socket client = connect();
        Socket served = server.accept(); // left open here: its client's leaving must end it
        try {
            client.close();
            assertEquals(-1, served.getInputStream().read()); // the end of the stream has come
            server.close();
            awaitServersEnded(name); // fails after PATIENCE if the connection stayed
        } finally {
            served.close();
        }
    }

    /**
     * As {@code java.net.ServerSocket}: a server socket made on the main thread keeps no JVM alive
     * once main returns, listening or with a socket it accepted left open (its server thread took
     * the main thread's daemon status).
     */
    @ParameterizedTest
    @ValueSource(strings = {"listening", "accepted"})
    void aServerSocketKeepsNoJvmAliveOnceMainReturns(String mode) throws Exception {
        try (ChildProcess child = ChildProcess.javaMain(ServerSocketOnMain.class, mode, name + "-" + mode)) {
            assertEquals(0, child.awaitExit(PATIENCE), "exit code; it printed " + child.output());
        }
    }
}
