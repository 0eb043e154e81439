package io.pipekit.server.unix;

import io.pipekit.core.PeerClosedException;
import io.pipekit.core.PeerIdentity;
import io.pipekit.core.PipeException;
import io.pipekit.core.transport.ServerConnection;
import io.pipekit.core.unix.FrameReader;
import io.pipekit.core.unix.Frames;
import io.pipekit.core.unix.PeerShutdown;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.Callable;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One client on a Unix domain socket, driven by the {@link SelectorLoop}. It reads only when
 * its listener asks for the next message (as {@code ReadFileEx} is issued by the sample's write
 * routine) and writes whole frames in the order given, waiting for {@code OP_WRITE} when the
 * socket buffer is full; a read may be requested while writes wait, as on Windows.
 *
 * <p>On a byte-type pipe there are no frames: each read's bytes go to the listener as they came,
 * and each write's bytes go out as they are, as a byte-type named pipe carries them.
 *
 * <p>Writes waiting their turn are laid out together: as many whole frames as fit in the write
 * buffer go out in one {@code write} call. A server pushing small messages then pays one system
 * call per buffer, not one per message; each message is still reported written, in order, once
 * the whole run of frames it was laid out in has gone out (so a slow reader delays the reports of
 * a run together). The buffer grows to {@link #MAX_BATCH_BYTES} for batches; a single message
 * larger than that gets a buffer of its own size, which the connection keeps.
 */
final class UnixConnection implements ServerConnection {
    private final SelectorLoop loop;
    private final SocketChannel channel;
    private final SelectionKey key;
    private final long id;
    private final PeerIdentity client;
    private final FrameReader frames;
    private final boolean framed;
    private ByteBuffer output;
    private final ArrayDeque<byte[]> writeQueue = new ArrayDeque<>();
    private ServerConnection.Listener listener;
    private boolean endedUnheard; // ended before setListener: tell the listener when it comes
    private PipeException unheardCause;
    private boolean closed;
    private boolean readRequested;
    private boolean shutOutputWhenWritten; // shutdownOutput came while writes were pending
    private boolean inputEnded; // the client half-closed, and the listener keeps the connection for writing
    private boolean writePending; // waiting for OP_WRITE: the socket took only part of `output`
    /** The most bytes of queued messages laid out for one write call (about a socket's send buffer). */
    static final int MAX_BATCH_BYTES = 256 * 1024;

    private boolean flushing; // inside flush(): a write from a listener it calls only queues
    private int packed; // whole messages laid out in `output` and not yet reported written
    private int interestOps;

    UnixConnection(SelectorLoop loop, SocketChannel channel, SelectionKey key, long id, PeerIdentity client,
            int maxMessageSize, int readChunk, int writeBufferSize, boolean framed) {
        this.loop = loop;
        this.framed = framed;
        this.channel = channel;
        this.key = key;
        this.id = id;
        this.client = client;
        this.frames = new FrameReader(maxMessageSize, readChunk);
        this.output = ByteBuffer.allocateDirect(Math.max(writeBufferSize, Frames.HEADER_BYTES));
    }

    /**
     * Gives the connection its listener. The listener was made (and may have started the first
     * read) before this call: if the connection ended meanwhile, a read refused at once because
     * the client had already gone, the listener hears it now. Without this, such a connection
     * ended unheard: a driven connection stayed listed as open for the server's whole life.
     */
    void setListener(ServerConnection.Listener listener) {
        this.listener = listener;
        if (endedUnheard) {
            endedUnheard = false;
            listener.closed(unheardCause);
        }
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public PeerIdentity clientIdentity() {
        return client;
    }

    /** Unix sockets have no impersonation: a server acts as another user only by being given its rights. */
    @Override
    public <T> T runAsClient(Callable<T> work) {
        throw new UnsupportedOperationException("runAsClient is not supported on Unix domain sockets: they have no "
                + "impersonation. Check the client's identity (uid) and decide for it instead");
    }

    @Override
    public boolean canRunAsClient() {
        return false;
    }

    @Override
    public void read() {
        if (closed || inputEnded) {
            return;
        }
        try {
            byte[] message = nextMessage(); // a pipelined client may have sent it already
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
                updateInterest();
            }
        } catch (PipeException e) {
            end(e);
        }
    }

    /** The next whole frame's message; on a byte-type pipe, every byte read so far. Null if there is none yet. */
    private byte[] nextMessage() throws PipeException {
        return framed ? frames.next() : frames.nextChunk();
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
        if (!closed) {
            updateInterest();
        }
    }

    /**
     * Sets the key's interest to what is wanted now, only when it changes (each change is an
     * epoll_ctl call): reading while a read is requested, writing while a frame waits.
     */
    private void updateInterest() {
        int ops = (readRequested ? SelectionKey.OP_READ : 0) | (writePending ? SelectionKey.OP_WRITE : 0);
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
        writeQueue.add(message); // goes out after the frames before it
        if (!writePending && !flushing) {
            flush();
        }
    }

    @Override
    public void write(byte[][] messages, int count) {
        if (closed) {
            return;
        }
        for (int i = 0; i < count; i++) {
            writeQueue.add(messages[i]);
        }
        if (!writePending && !flushing) {
            flush(); // one write call for as many of them as the buffer holds
        }
    }

    /**
     * Lays out the oldest queued message, then every following one that fits behind it in the
     * buffer, as one run of bytes to write; false if nothing is queued.
     */
    private boolean pack() {
        byte[] first = writeQueue.poll();
        if (first == null) {
            return false;
        }
        int overhead = framed ? Frames.HEADER_BYTES : 0;
        if (!writeQueue.isEmpty() && output.capacity() < MAX_BATCH_BYTES) {
            growForBatch(overhead + first.length, overhead);
        }
        output = layOut(first); // grows the buffer if this one message needs it
        packed = 1;
        int end = output.limit();
        byte[] next;
        while ((next = writeQueue.peek()) != null && output.capacity() - end >= overhead + next.length) {
            writeQueue.poll();
            output.limit(output.capacity()).position(end);
            if (framed) {
                output.putInt(next.length);
            }
            output.put(next);
            end = output.position();
            packed++;
        }
        output.position(0).limit(end);
        return true;
    }

    private ByteBuffer layOut(byte[] message) {
        return framed ? Frames.frame(output, message) : Frames.raw(output, message, 0, message.length);
    }

    /** The selector says the socket is readable. */
    void readable() {
        try {
            // Read on while the socket has bytes and no whole message has formed: a long message
            // should not cost one trip through the selector per read chunk.
            while (true) {
                int n = channel.read(frames.input());
                if (n < 0) {
                    PipeException midFrame = leftMidFrame("the client closed the connection");
                    // The end of the stream is also what a client that closed and left sends:
                    // only a half-close, the client still reading, may keep the connection open.
                    if (midFrame == null && listener != null && PeerShutdown.onlyHalfClosed(channel) && listener.inputEnded()) {
                        // A half-close: the client still reads, and the listener still writes.
                        // Nothing more will come in, so stop asking the selector for reads.
                        inputEnded = true;
                        readRequested = false;
                        if (!closed) {
                            updateInterest();
                            loop.watchHalfClosed(this); // its close now shows only to a poll
                        }
                        return;
                    }
                    end(midFrame);
                    return;
                }
                byte[] message = nextMessage();
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
            // A reset (ECONNRESET), the only error a connected socket's read reports: the client
            // went, typically with our answers unread.
            end(leftMidFrame("the connection was reset (" + e.getMessage() + ")"));
        }
    }

    /**
     * For a connection whose client half-closed: ends it, as a client that left, once the
     * client has closed too (asked without blocking; see {@link PeerShutdown#gone}).
     */
    void endIfClientGone() {
        if (!closed && PeerShutdown.gone(channel)) {
            end(null);
        }
    }

    /**
     * The client is gone: no failure, unless it went in the middle of a frame, whose part is then
     * dropped: a {@link PeerClosedException}, as on Windows.
     */
    private PipeException leftMidFrame(String how) {
        return frames.midFrame() ? new PeerClosedException("read frame", PipeException.NO_CODE,
                how + " in the middle of a message; the part that arrived is dropped") : null;
    }

    /** The selector says the socket can take more of the pending frame. */
    void writable() {
        if (writePending && !closed) { // readiness can outlive the frame it was asked for
            flush();
        }
    }

    /**
     * Makes the write buffer large enough for the queued messages, up to {@link #MAX_BATCH_BYTES}:
     * a pusher of large messages then has several written per call, and hears of them together,
     * rather than being woken once per message. The buffer is kept: a connection that pushes
     * batches keeps pushing them, and one that never does never grows it.
     */
    private void growForBatch(int firstFrame, int overhead) {
        long want = firstFrame;
        for (byte[] next : writeQueue) {
            want += overhead + next.length;
            if (want >= MAX_BATCH_BYTES) {
                break;
            }
        }
        if (want > output.capacity()) {
            output = ByteBuffer.allocateDirect((int) Math.min(Math.max(want, 2L * output.capacity()), MAX_BATCH_BYTES));
        }
    }

    /**
     * Writes what is laid out, then the queued messages, until the socket is full or all are out.
     * Messages the listener writes while hearing of earlier ones only queue: this loop takes them.
     */
    private void flush() {
        flushing = true;
        try {
            while (!closed) {
                if (packed == 0 && !pack()) {
                    writePending = false;
                    updateInterest(); // drops OP_WRITE if it was asked for; otherwise changes nothing
                    if (shutOutputWhenWritten) {
                        shutOutputWhenWritten = false;
                        shutOutputNow();
                    }
                    return;
                }
                channel.write(output);
                if (output.hasRemaining()) {
                    writePending = true;
                    updateInterest();
                    return;
                }
                for (int done = packed; done > 0 && !closed; done--) {
                    packed--;
                    listener.messageWritten();
                }
            }
        } catch (IOException e) {
            // Broken pipe or reset: the client left while we wrote.
            end(null);
        } finally {
            flushing = false;
        }
    }

    /** The kernel's half-close, once the frames already written have gone out. */
    @Override
    public void shutdownOutput() {
        if (closed) {
            return;
        }
        if (writePending || flushing || packed > 0 || !writeQueue.isEmpty()) {
            shutOutputWhenWritten = true; // after what was written before it
        } else {
            shutOutputNow();
        }
    }

    private void shutOutputNow() {
        try {
            channel.shutdownOutput();
        } catch (IOException e) {
            end(null); // the client has gone
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
        } else {
            endedUnheard = true;
            unheardCause = cause;
        }
    }
}
