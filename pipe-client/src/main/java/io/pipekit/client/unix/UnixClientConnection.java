package io.pipekit.client.unix;

import io.pipekit.core.PipeException;
import io.pipekit.core.transport.ClientConfig;
import io.pipekit.core.transport.ClientConnection;
import io.pipekit.core.unix.Frames;
import io.pipekit.core.unix.SocketPaths;
import java.io.IOException;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * The client end of pipekit's Unix-domain-socket transport: blocking, whole messages in
 * length-prefixed frames (docs/protocol.md). Connecting retries while the socket does not
 * exist or nobody accepts on it yet, until the timeout, then says "no such pipe".
 */
public final class UnixClientConnection implements ClientConnection {
    private static final long RETRY_PAUSE_MILLIS = 20;

    private final SocketChannel channel;
    private final Path path;
    private final int maxMessageSize;
    private final ByteBuffer header = ByteBuffer.allocateDirect(Frames.HEADER_BYTES);
    private ByteBuffer output = ByteBuffer.allocateDirect(4096);
    private boolean closed;

    private UnixClientConnection(SocketChannel channel, Path path, int maxMessageSize) {
        this.channel = channel;
        this.path = path;
        this.maxMessageSize = maxMessageSize;
    }

    /** Connects to the socket of {@code config.name()}, retrying until the timeout. */
    public static UnixClientConnection connect(ClientConfig config) throws PipeException {
        Path path = SocketPaths.forName(config.name());
        String operation = "connect " + path;
        long deadline = System.nanoTime() + config.connectTimeout().toNanos();
        while (true) {
            SocketChannel channel = null;
            try {
                channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                channel.connect(UnixDomainSocketAddress.of(path));
                return new UnixClientConnection(channel, path, config.maxMessageSize());
            } catch (SocketException e) {
                // No socket file yet (ENOENT), or a stale one nobody accepts on (ECONNREFUSED): the
                // server may be starting.
                closeQuietly(channel);
                long leftMillis = (deadline - System.nanoTime()) / 1_000_000;
                if (leftMillis <= 0) {
                    throw new PipeException(operation, PipeException.NO_CODE, "no such pipe (is the server running?)");
                }
                pause(Math.min(leftMillis, RETRY_PAUSE_MILLIS));
            } catch (IOException e) {
                closeQuietly(channel);
                throw new PipeException(operation, PipeException.NO_CODE, e.toString(), e);
            }
        }
    }

    private static void pause(long millis) throws PipeException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PipeException("connect", PipeException.NO_CODE, "interrupted", e);
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // it never connected
            }
        }
    }

    @Override
    public void send(byte[] message) throws PipeException {
        ensureOpen();
        output = Frames.frame(output, message);
        try {
            while (output.hasRemaining()) {
                channel.write(output);
            }
        } catch (IOException e) {
            throw new PipeException("send to " + path, PipeException.NO_CODE, e.toString(), e);
        }
    }

    @Override
    public byte[] receive() throws PipeException {
        ensureOpen();
        try {
            header.clear();
            readFully(header);
            header.flip();
            byte[] message = new byte[Frames.length(header, maxMessageSize)];
            ByteBuffer body = ByteBuffer.wrap(message);
            readFully(body);
            return message;
        } catch (IOException e) {
            throw e instanceof PipeException pipe ? pipe : new PipeException("receive from " + path, PipeException.NO_CODE, e.toString(), e);
        }
    }

    private void readFully(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new PipeException("receive from " + path, PipeException.NO_CODE, "the server closed the connection");
            }
        }
    }

    @Override
    public byte[] transact(byte[] message) throws PipeException {
        send(message);
        return receive();
    }

    private void ensureOpen() throws PipeException {
        if (closed) {
            throw new PipeException("use " + path, PipeException.NO_CODE, "the connection is closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            closeQuietly(channel);
        }
    }
}
