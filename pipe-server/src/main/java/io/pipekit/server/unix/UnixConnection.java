package io.pipekit.server.unix;

import io.pipekit.core.PipeException;
import io.pipekit.core.transport.ServerConnection;
import io.pipekit.core.unix.FrameReader;
import io.pipekit.core.unix.Frames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One client on a Unix domain socket, driven by the {@link SelectorLoop}. It reads only when
 * the session asks for the next message (as {@code ReadFileEx} is issued by the sample's write
 * routine) and writes one whole frame per answer, waiting for {@code OP_WRITE} when the socket
 * buffer is full.
 */
final class UnixConnection implements ServerConnection {
    private final SelectorLoop loop;
    private final SocketChannel channel;
    private final SelectionKey key;
    private final long id;
    private final FrameReader frames;
    private ByteBuffer output;
    private ServerConnection.Listener listener;
    private boolean closed;
    private boolean readRequested;
    private boolean writePending;
    private int interestOps;

    UnixConnection(SelectorLoop loop, SocketChannel channel, SelectionKey key, long id,
            int maxMessageSize, int readChunk, int writeBufferSize) {
        this.loop = loop;
        this.channel = channel;
        this.key = key;
        this.id = id;
        this.frames = new FrameReader(maxMessageSize, readChunk);
        this.output = ByteBuffer.allocateDirect(Math.max(writeBufferSize, Frames.HEADER_BYTES));
    }

    void setListener(ServerConnection.Listener listener) {
        this.listener = listener;
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public long clientProcessId() {
        return -1; // the JDK's SO_PEERCRED gives the user, not the process
    }

    @Override
    public void read() {
        if (closed) {
            return;
        }
        try {
            byte[] message = frames.next(); // a pipelined client may have sent it already
            if (message != null) {
                // Delivered from the loop, not from here: a client that sent many frames ahead
                // would otherwise nest read -> answer -> write -> read as deep as its backlog.
                loop.defer(() -> {
                    if (!closed) {
                        deliver(message);
                    }
                });
            } else {
                readRequested = true;
                interest(SelectionKey.OP_READ);
            }
        } catch (PipeException e) {
            end(e);
        }
    }

    /**
     * Hands a message to the session. A synchronous answer usually asks for the next read
     * before this returns; only if it did not (the answer is pending, or still being written)
     * is read interest dropped. So a plain request-answer exchange changes no epoll
     * registration at all, and a client sending ahead cannot make the loop spin.
     */
    private void deliver(byte[] message) {
        readRequested = false;
        listener.messageRead(message);
        if (!closed && !readRequested && !writePending) {
            interest(0);
        }
    }

    /** Sets the key's interest only when it changes (each change is an epoll_ctl call). */
    private void interest(int ops) {
        if (interestOps != ops) {
            interestOps = ops;
            key.interestOps(ops);
        }
    }

    @Override
    public void write(byte[] message) {
        if (closed) {
            return;
        }
        output = Frames.frame(output, message);
        flush();
    }

    /** The selector says the socket is readable. */
    void readable() {
        try {
            // Read on while the socket has bytes and no whole message has formed: a long message
            // should not cost one trip through the selector per read chunk.
            while (true) {
                int n = channel.read(frames.input());
                if (n < 0) {
                    end(frames.midFrame() ? new PipeException("read frame", PipeException.NO_CODE,
                            "the client closed the connection in the middle of a frame") : null);
                    return;
                }
                byte[] message = frames.next();
                if (message != null) {
                    deliver(message);
                    return;
                }
                if (n == 0) {
                    return;
                }
            }
        } catch (PipeException e) {
            end(e);
        } catch (IOException e) {
            end(new PipeException("read", PipeException.NO_CODE, e.getMessage(), e));
        }
    }

    /** The selector says the socket can take more of the pending frame. */
    void writable() {
        flush();
    }

    private void flush() {
        try {
            channel.write(output);
            if (output.hasRemaining()) {
                writePending = true;
                interest(SelectionKey.OP_WRITE);
            } else {
                writePending = false;
                listener.messageWritten();
            }
        } catch (IOException e) {
            // Broken pipe or reset: the client left while we answered.
            end(null);
        }
    }

    @Override
    public void close() {
        end(null);
    }

    private void end(PipeException cause) {
        if (closed) {
            return;
        }
        closed = true;
        if (cause != null) {
            loop.log(System.Logger.Level.WARNING, "client " + id + ": " + cause.getMessage() + "; closing its connection");
        }
        key.cancel();
        try {
            channel.close();
        } catch (IOException e) {
            // closing a socket that failed: nothing more to free
        }
        loop.released(this);
        if (listener != null) {
            listener.closed(cause);
        }
    }
}
