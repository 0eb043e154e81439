package io.pipekit.server;

import io.pipekit.core.LengthPrefixFraming;
import io.pipekit.core.MessageTooLargeException;
import io.pipekit.core.PipeException;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Request and answer over a byte-type pipe: cuts each connection's bytes into length-prefixed
 * frames, answers each frame's message with a {@link RequestHandler}, and sends the answer
 * framed the same way. It is how a byte-type server speaks a protocol such as the OpenSSH
 * agent's (4-byte big-endian lengths) with the sample's request-and-answer handler.
 *
 * <pre>{@code
 * PipeServer.builder("agent").pipeType(PipeType.BYTE)
 *         .connectionHandler(FramedRequests.answering(LengthPrefixFraming.u32be(256 * 1024), handler))
 *         .start();
 * }</pre>
 *
 * <p>A frame announcing more than the framing's maximum closes its connection as soon as its
 * prefix arrives, and is logged; other connections go on. A handler that throws costs its
 * client the connection, as with {@link RequestHandler}. Everything runs on the server thread.
 */
public final class FramedRequests implements ConnectionHandler {
    private static final System.Logger LOG = System.getLogger("io.pipekit.server");

    private final LengthPrefixFraming framing;
    private final RequestHandler handler;
    private final Map<Connection, LengthPrefixFraming.Decoder> decoders = new HashMap<>(); // server thread only

    private FramedRequests(LengthPrefixFraming framing, RequestHandler handler) {
        this.framing = Objects.requireNonNull(framing, "framing");
        this.handler = Objects.requireNonNull(handler, "handler");
    }

    /** A connection handler that answers each {@code framing} frame with {@code handler}. */
    public static FramedRequests answering(LengthPrefixFraming framing, RequestHandler handler) {
        return new FramedRequests(framing, handler);
    }

    @Override
    public void connected(Connection connection) {
        decoders.put(connection, framing.decoder());
    }

    @Override
    public void messageReceived(Connection connection, byte[] bytes) {
        LengthPrefixFraming.Decoder decoder = decoders.get(connection);
        if (decoder == null) {
            return; // closed while these bytes were on their way
        }
        ClientInfo client = ClientInfo.of(connection);
        try {
            decoder.feed(bytes, 0, bytes.length, request -> answer(connection, client, request));
        } catch (MessageTooLargeException e) {
            LOG.log(Level.WARNING, "client " + connection.id() + ": " + e.getMessage() + "; closing its connection");
            decoders.remove(connection);
            connection.close();
        }
    }

    private void answer(Connection connection, ClientInfo client, byte[] request) {
        if (!decoders.containsKey(connection)) {
            return; // a frame before this one cost the connection: answer nothing more on it
        }
        try {
            connection.send(framing.frame(handler.answer(client, request)));
        } catch (Exception e) {
            LOG.log(Level.WARNING, "the request handler failed for client " + connection.id() + "; closing its connection", e);
            decoders.remove(connection);
            connection.close();
        }
    }

    @Override
    public void closed(Connection connection, PipeException cause) {
        LengthPrefixFraming.Decoder decoder = decoders.remove(connection);
        if (decoder != null && decoder.midFrame() && cause == null) {
            LOG.log(Level.DEBUG, "client " + connection.id() + " left in the middle of a frame");
        }
    }
}
