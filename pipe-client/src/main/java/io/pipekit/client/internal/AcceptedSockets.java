package io.pipekit.client.internal;

import io.pipekit.client.PipeAddress;
import io.pipekit.client.PipeSocket;
import io.pipekit.core.transport.ClientConnection;
import java.lang.invoke.MethodHandles;
import java.net.SocketException;
import java.util.Objects;

/**
 * How pipekit's server module makes the {@link PipeSocket} a server socket accepts, without a
 * public constructor that would put the transport seam into the API: {@code PipeSocket} registers
 * its maker here when its class is initialized, as the JDK's {@code SharedSecrets} do. Exported to
 * {@code io.pipekit.server} only.
 */
public final class AcceptedSockets {
    /** Makes the server's side of a connection a server socket on {@code address} accepted. */
    @FunctionalInterface
    public interface Maker {
        PipeSocket accepted(PipeAddress address, ClientConnection connection) throws SocketException;
    }

    private static volatile Maker maker;

    private AcceptedSockets() {
    }

    /** Called once, by {@code PipeSocket}'s class initialization. */
    public static void register(Maker socketMaker) {
        maker = Objects.requireNonNull(socketMaker, "maker");
    }

    /** A connected {@code PipeSocket} over {@code connection}, whose other end is the client. */
    public static PipeSocket accepted(PipeAddress address, ClientConnection connection) throws SocketException {
        Maker made = maker;
        if (made == null) {
            try {
                MethodHandles.lookup().ensureInitialized(PipeSocket.class); // registers the maker
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("PipeSocket cannot be initialized from " + AcceptedSockets.class, e);
            }
            made = maker;
        }
        return made.accepted(address, connection);
    }
}
