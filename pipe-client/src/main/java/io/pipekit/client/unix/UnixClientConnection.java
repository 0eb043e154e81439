package io.pipekit.client.unix;

import io.pipekit.core.PipeException;
import io.pipekit.core.transport.ClientConfig;
import io.pipekit.core.transport.ClientConnection;
import io.pipekit.client.internal.ConnectDeadline;
import io.pipekit.core.unix.FrameReader;
import io.pipekit.core.unix.Frames;
import io.pipekit.core.unix.SocketPaths;
import java.io.IOException;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import io.pipekit.core.NoSuchPipeException;
import io.pipekit.core.PeerClosedException;
import io.pipekit.core.PipeAccessDeniedException;
import io.pipekit.core.PipeClosedException;
import java.nio.channels.ClosedChannelException;

/**
 * The client end of pipekit's Unix-domain-socket transport: blocking, whole messages in
 * length-prefixed frames (docs/protocol.md). Connecting retries while the socket does not
 * exist or nobody accepts on it yet, until the timeout, then says "no such pipe".
 */
public final class UnixClientConnection implements ClientConnection {
    private static final int READ_CHUNK = 64 * 1024;

    private final SocketChannel channel;
    private final Path path;
    private final boolean readOnly;
    private final FrameReader frames;
    private ByteBuffer output = ByteBuffer.allocateDirect(4096);
    private boolean closed;

    private UnixClientConnection(SocketChannel channel, Path path, ClientConfig config) {
        this.channel = channel;
        this.path = path;
        this.readOnly = config.readOnly();
        this.frames = new FrameReader(config.maxMessageSize(), READ_CHUNK);
    }

    /** Connects to the socket of {@code config.name()}, retrying until the timeout. */
    public static UnixClientConnection connect(ClientConfig config) throws PipeException {
        Path path = SocketPaths.forName(config.name());
        String operation = "connect " + path;
        ConnectDeadline deadline = new ConnectDeadline(config.connectTimeout());
        while (true) {
            SocketChannel channel = null;
            try {
                channel = SocketChannel.open(StandardProtocolFamily.UNIX);
                channel.connect(UnixDomainSocketAddress.of(path));
                return new UnixClientConnection(channel, path, config);
            } catch (SocketException e) {
                // No socket file yet (ENOENT), or a stale one nobody accepts on (ECONNREFUSED): the
                // server may be starting.
                closeQuietly(channel);
                if (deadline.expired()) {
                    throw new NoSuchPipeException(operation, PipeException.NO_CODE, "no such pipe (is the server running?)");
                }
                deadline.pauseBeforeRetry(operation);
            } catch (IOException e) {
                closeQuietly(channel);
                throw new PipeException(operation, PipeException.NO_CODE, e.toString(), e);
            }
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
        if (readOnly) {
            // As on Windows, where a client opened for reading only cannot write to the pipe.
            throw new PipeAccessDeniedException("send to " + path, PipeException.NO_CODE, "the client was opened read-only");
        }
        output = Frames.frame(output, message);
        try {
            while (output.hasRemaining()) {
                channel.write(output);
            }
        } catch (IOException e) {
            throw failure("send to " + path, e);
        }
    }

    @Override
    public byte[] receive() throws PipeException {
        ensureOpen();
        try {
            while (true) {
                byte[] message = frames.next(); // large reads: one system call carries header and body
                if (message != null) {
                    return message;
                }
                if (channel.read(frames.input()) < 0) {
                    throw new PeerClosedException("receive from " + path, PipeException.NO_CODE, "the server closed the connection");
                }
            }
        } catch (IOException e) {
            throw e instanceof PipeException pipe ? pipe : failure("receive from " + path, e);
        }
    }

    @Override
    public byte[] transact(byte[] message) throws PipeException {
        send(message);
        return receive();
    }

    /**
     * What an I/O error on the connected socket means: this side's own close (the channel is
     * closed), or the server gone (EPIPE, ECONNRESET: the only errors a connected Unix socket
     * reports).
     */
    private static PipeException failure(String operation, IOException e) {
        return e instanceof ClosedChannelException
                ? new PipeClosedException(operation, PipeException.NO_CODE, "the connection is closed", e)
                : new PeerClosedException(operation, PipeException.NO_CODE, "the server closed the connection (" + e.getMessage() + ")", e);
    }

    private void ensureOpen() throws PipeException {
        if (closed) {
            throw new PipeClosedException("use " + path, PipeException.NO_CODE, "the connection is closed");
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
