package io.pipekit.server.internal;

import io.pipekit.core.PeerIdentity;
import io.pipekit.core.transport.ServerConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * A transport connection the test drives: it records what is asked of it (reads, writes, close),
 * and the test plays the transport's part by calling the listener ({@link #deliver},
 * {@link #written}). Its close tells the listener at once, as a transport with no I/O pending does.
 */
final class FakeConnection implements ServerConnection {
    private Listener listener;
    private boolean readInFlight;
    private int reads;
    private final List<byte[]> writes = new ArrayList<>();
    private RuntimeException nextWriteFails;
    private boolean closed;

    void setListener(Listener listener) {
        this.listener = listener;
    }

    @Override
    public long id() {
        return 1;
    }

    @Override
    public PeerIdentity clientIdentity() {
        return PeerIdentity.unixBuilder().processId(1).uid(1000).gid(1000).user("fake").build();
    }

    @Override
    public <T> T runAsClient(Callable<T> work) {
        throw new UnsupportedOperationException();
    }

    @Override
    public boolean canRunAsClient() {
        return false;
    }

    @Override
    public void read() {
        if (!closed && !readInFlight) {
            readInFlight = true;
            reads++;
        }
    }

    @Override
    public void write(byte[] message) {
        if (nextWriteFails != null) {
            RuntimeException failure = nextWriteFails;
            nextWriteFails = null;
            throw failure;
        }
        if (!closed) {
            writes.add(message);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            readInFlight = false;
            listener.closed(null);
        }
    }

    /** The read in flight completes with {@code message}. */
    void deliver(byte[] message) {
        if (!readInFlight) {
            throw new AssertionError("no read is in flight to deliver");
        }
        readInFlight = false;
        listener.messageRead(message);
    }

    /** The oldest write not yet reported reached the pipe. */
    void written() {
        listener.messageWritten();
    }

    boolean readInFlight() {
        return readInFlight;
    }

    int reads() {
        return reads;
    }

    List<byte[]> writes() {
        return writes;
    }

    boolean closed() {
        return closed;
    }

    void failNextWrite(RuntimeException failure) {
        nextWriteFails = failure;
    }
}
