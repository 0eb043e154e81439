package io.pipekit.client.internal;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.pipekit.client.PipeAddress;
import io.pipekit.client.PipeSocket;
import io.pipekit.core.transport.ClientConnection;
import java.lang.reflect.Proxy;
import java.net.Socket;
import org.junit.jupiter.api.Test;

/**
 * Review of issue 26: on the class path any code can call {@link AcceptedSockets#register}, which
 * replaced how every server socket's accepted sockets were made. Only {@code PipeSocket}'s own
 * maker is taken, once.
 */
class AcceptedSocketsTest {
    @Test
    void noCodeButPipeSocketRegistersAMakerAndAcceptedSocketsStayPipeSockets() throws Exception {
        AcceptedSockets.Maker other = (address, connection) -> {
            throw new AssertionError("another maker made an accepted socket");
        };
        assertThrows(IllegalStateException.class, () -> AcceptedSockets.register(other));

        ClientConnection connection = (ClientConnection) Proxy.newProxyInstance(ClientConnection.class.getClassLoader(),
                new Class<?>[] {ClientConnection.class}, (proxy, method, args) -> null);
        Socket accepted = AcceptedSockets.accepted(PipeAddress.parse("pipekit-accepted-sockets-test"), connection);
        assertInstanceOf(PipeSocket.class, accepted);
        assertThrows(IllegalStateException.class, () -> AcceptedSockets.register(other), "refused after PipeSocket registered too");
        assertSame(true, accepted.isConnected());
    }
}
