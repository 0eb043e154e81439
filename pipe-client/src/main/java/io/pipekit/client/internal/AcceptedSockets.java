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

    private static final StackWalker CALLERS = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);
    private static volatile Maker maker;

    private AcceptedSockets() {
    }

    /**
     * Called once, by {@code PipeSocket}'s class initialization. On the class path this package is
     * open to all: so the maker can be set by {@code PipeSocket} only, and never replaced, or
     * other code could choose what every server socket's accept returns.
     *
     * @throws IllegalStateException if the caller is not {@code PipeSocket}, or a maker is registered already
     */
    public static void register(Maker socketMaker) {
        Objects.requireNonNull(socketMaker, "maker");
        Class<?> caller = CALLERS.getCallerClass();
        if (caller != PipeSocket.class) {
            throw new IllegalStateException("only PipeSocket registers how accepted sockets are made, not " + caller.getName());
        }
        synchronized (AcceptedSockets.class) {
            if (maker != null) {
                throw new IllegalStateException("how accepted sockets are made is registered already");
            }
            maker = socketMaker;
        }
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
