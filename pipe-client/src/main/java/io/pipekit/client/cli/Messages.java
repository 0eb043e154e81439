package io.pipekit.client.cli;

import io.pipekit.client.PipeClient;
import io.pipekit.core.LengthPrefixFraming;
import io.pipekit.core.MessageCodec;
import io.pipekit.core.PeerClosedException;
import io.pipekit.core.PipeException;
import io.pipekit.core.ReadMode;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;

/**
 * The messages a command exchanges over its client: whole messages in message read mode, and in
 * byte read mode (a byte-type pipe, which keeps no boundaries, so the client's message methods
 * refuse) length-prefixed frames over the client's stream, as {@code pipe-server --mode byte}
 * answers them. In byte read mode a receive waits as long as the client's receive timeout.
 */
final class Messages {
    private final PipeClient client;
    private final LengthPrefixFraming framing; // null in message read mode

    Messages(PipeClient client, String framePrefix) {
        this.client = client;
        this.framing = client.readMode() == ReadMode.BYTE ? framing(framePrefix) : null;
    }

    /** The framing {@code --frame} names: u32be or u32le, as the server's option. */
    static LengthPrefixFraming framing(String prefix) {
        return switch (prefix.toLowerCase(Locale.ROOT)) {
            case "u32be" -> LengthPrefixFraming.u32be(16 * 1024 * 1024);
            case "u32le" -> LengthPrefixFraming.u32le(16 * 1024 * 1024);
            default -> throw new IllegalArgumentException("--frame is u32be or u32le, not " + prefix);
        };
    }

    void send(byte[] message) throws PipeException {
        client.send(framing == null ? message : framing.frame(message));
    }

    void send(byte[] message, Duration timeout) throws PipeException {
        client.send(framing == null ? message : framing.frame(message), timeout);
    }

    /** The next message; a {@link PeerClosedException} once the server has closed the connection. */
    byte[] receive() throws IOException {
        return framing == null ? client.receive() : nextFrame();
    }

    /** {@link #receive()} decoded. */
    <T> T receive(MessageCodec<T> codec) throws IOException {
        return framing == null ? client.receive(codec) : codec.decode(nextFrame());
    }

    /** The next message within {@code timeout}; in byte read mode, within the client's receive timeout instead. */
    byte[] receive(Duration timeout) throws IOException {
        return framing == null ? client.receive(timeout) : nextFrame();
    }

    byte[] transact(byte[] request) throws IOException {
        if (framing == null) {
            return client.transact(request);
        }
        send(request);
        return nextFrame();
    }

    private byte[] nextFrame() throws IOException {
        byte[] message = framing.read(client.inputStream());
        if (message == null) {
            throw new PeerClosedException("read frame from " + client.name(), PipeException.NO_CODE, "the server closed the connection");
        }
        return message;
    }
}
