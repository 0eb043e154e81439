package io.pipekit.netty.unix;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.FileRegion;
import io.netty.channel.MaxMessagesRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.AbstractNioByteChannel;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.SocketChannelConfig;
import io.pipekit.core.PeerClosedException;
import io.pipekit.core.PeerIdentity;
import io.pipekit.core.PipeException;
import io.pipekit.core.PipeIoException;
import io.pipekit.core.Transport;
import io.pipekit.core.UntrustedServerException;
import io.pipekit.core.unix.FrameReader;
import io.pipekit.core.unix.PeerCredentials;
import io.pipekit.core.unix.SocketLock;
import io.pipekit.core.unix.SocketPaths;
import io.pipekit.core.unix.SocketPin;
import io.pipekit.netty.NettyPipeAddress;
import io.pipekit.netty.PipeChannel;
import io.pipekit.netty.PipePeerAddress;
import io.pipekit.netty.internal.MessageSettings;
import io.pipekit.netty.internal.PipeBuffers;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A connection over a Unix domain socket on Netty's NIO event loop: a {@link UnixPipeServerChannel}'s
 * accepted child, or a client's channel. Reads, gathering writes, water marks and half-close are
 * Netty's NIO byte channel's; what this adds is pipekit's: the socket path a {@link NettyPipeAddress}
 * names, and the peer's identity, read from the kernel ({@code SO_PEERCRED}) before the channel is
 * active. An accepted child has its client's identity, which its server's admission saw; a client
 * checks the server's identity against its {@link io.pipekit.netty.PipeChannelOption#SERVER_TRUST}
 * before its connect completes, and fails the connect with {@link UntrustedServerException} if it
 * does not trust it.
 *
 * <p>With {@link io.pipekit.netty.PipeChannelOption#PIPE_TYPE} {@code MESSAGE} the socket carries
 * pipekit's frames, as {@code PipeServer}'s and {@code PipeClient}'s message pipes do: each
 * {@code ByteBuf} written goes out as one frame ({@link FramedWrites}), and each frame read is
 * handed up as one {@code ByteBuf}, cut out by pipe-core's {@link FrameReader} with its limit
 * ({@link io.pipekit.netty.PipeChannelOption#MAX_MESSAGE_SIZE}). A frame announcing more is a read
 * error ({@code MessageTooLargeException}); so is the end of the stream inside a frame
 * ({@code PeerClosedException}).
 *
 * <p>Netty's {@code NioDomainSocketChannel} does the same on a plain path, and is final: this follows
 * its structure.
 */
public final class UnixPipeChannel extends AbstractNioByteChannel implements PipeChannel, DuplexChannel {
    private static final System.Logger LOG = System.getLogger("io.pipekit.netty");
    private static final AtomicBoolean BUFFERS_REFUSED = new AtomicBoolean();
    /** Below this, a short write does not shrink the gathering limit (Netty's NIO socket channels' threshold). */
    private static final int GATHERING_LOW_THRESHOLD = 4096;
    /** Message mode: bytes read at a time below a large message's body, as pipekit's own client reads them. */
    private static final int MESSAGE_READ_CHUNK = 64 * 1024;
    /** Netty's default messages per read, for an allocator that does not say (not a {@code MaxMessagesRecvByteBufAllocator}). */
    private static final int DEFAULT_SOCKET_READS_PER_READ = 16;
    /** How often a connect to a full server looks again, as pipe-netty's named-pipe client retries a busy pipe. */
    private static final long BUSY_RETRY_MILLIS = 5;
    private final UnixPipeChannelConfig config;
    private volatile NettyPipeAddress local;
    private volatile PipePeerAddress remote;
    private volatile PeerIdentity peer;
    private volatile boolean inputShutdown;
    private volatile boolean outputShutdown;
    private NettyPipeAddress connecting; // the loop thread's: set while a connect is pending
    private Path busyPath; // the loop thread's: set while a connect waits for a full server
    private Exception busyFailure; // the loop thread's: how a connect that waited then failed
    /** An accepted child's instance, given back to its server once, however it closes. */
    private final AtomicBoolean instanceFreed = new AtomicBoolean();
    // Message mode (the loop thread's): fixed when the connection is made; frames and writes come with the first I/O.
    private boolean messageMode;
    private FrameReader frames;
    private FramedWrites framedWrites;

    /**
     * A client's channel, not yet connected; Netty's bootstraps make it through this constructor.
     * Its socket asks for 1 MiB buffers, as a server's children do: what the client uploads
     * waits in its own {@code SO_SNDBUF}. {@code SO_SNDBUF}/{@code SO_RCVBUF} options set on the
     * bootstrap apply after this.
     */
    public UnixPipeChannel() {
        this(null, newSocket());
        askForBuffers(PipeBuffers.DEFAULT_SIZE, PipeBuffers.DEFAULT_SIZE);
    }

    private UnixPipeChannel(UnixPipeServerChannel parent, SocketChannel socket) {
        super(parent, socket);
        config = new UnixPipeChannelConfig(this, socket);
    }

    /**
     * An accepted client's channel, with the identity its server read and admitted, its server's
     * pipe type, and the socket buffers its server asks for ({@code IN_BUFFER_SIZE}, {@code OUT_BUFFER_SIZE}).
     */
    UnixPipeChannel(UnixPipeServerChannel parent, SocketChannel socket, NettyPipeAddress pipe, PeerIdentity client,
            MessageSettings serverMessages, int receiveBufferSize, int sendBufferSize) {
        this(parent, socket);
        askForBuffers(receiveBufferSize, sendBufferSize);
        config.messages().inherit(serverMessages);
        messageMode = config.messages().messages();
        identify(pipe, client);
    }

    /**
     * Asks for socket buffers as a default, not a demand: where the kernel refuses the size
     * (macOS fails a request above its {@code kern.ipc.maxsockbuf} with {@code ENOBUFS}, where
     * Linux caps it), the connection keeps the kernel's default and works on, rather than a
     * server refusing every client over a buffer. Said once per process.
     */
    private void askForBuffers(int receiveBufferSize, int sendBufferSize) {
        try {
            config.setReceiveBufferSize(receiveBufferSize);
            config.setSendBufferSize(sendBufferSize);
        } catch (ChannelException refused) {
            if (BUFFERS_REFUSED.compareAndSet(false, true)) {
                LOG.log(System.Logger.Level.WARNING, "the kernel refused socket buffers of " + receiveBufferSize + " / " + sendBufferSize
                        + " bytes (receive / send); connections keep its defaults", refused);
            }
        }
    }

    private static SocketChannel newSocket() {
        try {
            return SocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException e) {
            throw new ChannelException("opening a Unix domain socket failed", e);
        }
    }

    /** {@code address} as a pipe's; anything else is refused, naming what is expected. */
    static NettyPipeAddress pipeAddress(SocketAddress address) {
        if (!(address instanceof NettyPipeAddress pipe)) {
            throw new IllegalArgumentException("a pipe channel's address is a NettyPipeAddress (PipeNetty.address), not "
                    + (address == null ? "null" : address.getClass().getName()));
        }
        if (pipe.transport() != Transport.UNIX_DOMAIN_SOCKETS) {
            throw new IllegalArgumentException(pipe + " is a named pipe; this OS has Unix domain sockets");
        }
        return pipe;
    }

    /** Sets who is at the other end: before the channel is active (a child's is set before it is registered). */
    private void identify(NettyPipeAddress pipe, PeerIdentity identity) {
        peer = identity;
        attr(PEER_IDENTITY).set(identity);
        local = pipe;
        remote = new PipePeerAddress(pipe, identity);
    }

    @Override
    public PeerIdentity peerIdentity() {
        return peer;
    }

    @Override
    public ServerChannel parent() {
        return (ServerChannel) super.parent();
    }

    @Override
    public SocketChannelConfig config() {
        return config;
    }

    @Override
    protected SocketChannel javaChannel() {
        return (SocketChannel) super.javaChannel();
    }

    @Override
    public boolean isActive() {
        SocketChannel socket = javaChannel();
        return socket.isOpen() && socket.isConnected() && peer != null;
    }

    /** The pipe this connection is on (on a client too: a client's own socket has no path). */
    @Override
    public NettyPipeAddress localAddress() {
        return (NettyPipeAddress) super.localAddress();
    }

    /** The pipe and who is at the other end: the client on an accepted channel, the server on a client's. */
    @Override
    public PipePeerAddress remoteAddress() {
        return (PipePeerAddress) super.remoteAddress();
    }

    @Override
    protected SocketAddress localAddress0() {
        return local;
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return remote;
    }

    @Override
    protected void doBind(SocketAddress localAddress) {
        throw new UnsupportedOperationException("a pipe client connects from no socket path of its own");
    }

    @Override
    protected boolean doConnect(SocketAddress remoteAddress, SocketAddress localAddress) throws Exception {
        boolean success = false;
        try {
            if (localAddress != null) {
                doBind(localAddress);
            }
            NettyPipeAddress address = pipeAddress(remoteAddress);
            config.messages().fix("the channel connects with the type it had then");
            messageMode = config.messages().messages();
            Path path = SocketPaths.forName(address.pipeName());
            Path pin = SocketPin.pin(path);
            if (pin == null && SocketLock.isHeld(path)) {
                // Every instance its MAX_INSTANCES allows is taken (the server moved its socket aside):
                // wait, as a Windows client waits on a busy pipe, until one is free or
                // CONNECT_TIMEOUT_MILLIS ends the connect.
                connecting = address;
                busyPath = path;
                eventLoop().schedule(this::retryBusyConnect, BUSY_RETRY_MILLIS, TimeUnit.MILLISECONDS);
                success = true;
                return false;
            }
            boolean connected = connectThrough(pin, path);
            if (connected) {
                trust(address);
            } else {
                connecting = address;
                selectionKey().interestOps(SelectionKey.OP_CONNECT);
            }
            success = true;
            return connected;
        } finally {
            if (!success) {
                doClose();
            }
        }
    }

    /**
     * Connects the socket to the server at {@code path} through {@code pin} ({@link SocketPin}: a
     * server that moves its file aside meanwhile cannot fail the connect), or by the path if there is
     * no pin, with a refusal said as a refused TCP connect says it.
     */
    private boolean connectThrough(Path pin, Path path) throws IOException {
        try {
            return javaChannel().connect(UnixDomainSocketAddress.of(pin == null ? path : pin));
        } catch (ConnectException refused) {
            throw refused;
        } catch (SocketException e) {
            // ENOENT (no socket: no server) or EAGAIN (its backlog full) say what a refused TCP
            // connect says. A full backlog fails at once: the connect does not wait for room
            // (docs/netty.md), so the message tells it from an absent server.
            String why = java.nio.file.Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    ? "the server on " + path + " is busy: its backlog of waiting connections is full"
                    : "no server accepts on " + path;
            ConnectException failed = new ConnectException(why + " (" + e.getMessage() + ")");
            failed.initCause(e);
            throw failed;
        } finally {
            SocketPin.unpin(pin, path);
        }
    }

    /** A connect waiting on a full server tries again; a timeout or a cancel has closed the channel, which ends it. */
    private void retryBusyConnect() {
        if (!isOpen() || connecting == null || busyPath == null) {
            return;
        }
        Path path = busyPath;
        Path pin = SocketPin.pin(path);
        if (pin == null && SocketLock.isHeld(path)) {
            eventLoop().schedule(this::retryBusyConnect, BUSY_RETRY_MILLIS, TimeUnit.MILLISECONDS);
            return;
        }
        busyPath = null;
        try {
            if (!connectThrough(pin, path)) {
                selectionKey().interestOps(SelectionKey.OP_CONNECT);
                return;
            }
        } catch (IOException | RuntimeException e) {
            busyFailure = e;
        }
        ((NioUnsafe) unsafe()).finishConnect(); // completes (or fails) the connect's promise, as the selector would
    }

    @Override
    protected void doFinishConnect() throws Exception {
        Exception failed = busyFailure;
        if (failed != null) {
            busyFailure = null;
            javaChannel().close();
            throw failed;
        }
        if (!javaChannel().finishConnect()) {
            throw new Error("finishConnect said not yet after the selector said it had");
        }
        try {
            trust(connecting);
        } catch (IOException | RuntimeException | Error e) {
            javaChannel().close(); // so the failed connect closes the channel, with this as the promise's cause
            throw e;
        }
    }

    /** The server's identity, checked against the trust before the connect may complete. */
    private void trust(NettyPipeAddress address) throws IOException {
        String operation = "connect " + address;
        PeerIdentity server;
        boolean trusted;
        try {
            server = PeerCredentials.of(javaChannel());
            trusted = PeerCredentials.trusted(server, config.serverTrust());
        } catch (RuntimeException e) {
            throw new PipeIoException(operation, PipeException.NO_CODE, "checking the server's identity failed: " + e, e);
        }
        if (!trusted) {
            throw new UntrustedServerException(operation, server, config.serverTrust());
        }
        identify(address, server);
    }

    @Override
    protected void doDisconnect() throws Exception {
        doClose();
    }

    @Override
    protected void doClose() throws Exception {
        try {
            super.doClose();
        } finally {
            try {
                javaChannel().close();
            } finally {
                if (parent() instanceof UnixPipeServerChannel server && instanceFreed.compareAndSet(false, true)) {
                    server.childClosed(); // a forcible close too, whose close future never completes
                }
            }
        }
    }

    @Override
    protected int doReadBytes(ByteBuf byteBuf) throws Exception {
        if (messageMode) {
            return readMessages();
        }
        RecvByteBufAllocator.Handle allocHandle = unsafe().recvBufAllocHandle();
        allocHandle.attemptedBytesRead(byteBuf.writableBytes());
        return byteBuf.writeBytes(javaChannel(), allocHandle.attemptedBytesRead());
    }

    /**
     * Message mode: reads frames and hands each whole message up itself, then returns 0 (nothing
     * left to hand up: Netty's read loop ends this read, and the selector brings the rest) or -1
     * (the end of the stream). Netty's loop, which is final, fires only what this method puts into
     * the one buffer it is given, while a message has a length of its own, may be empty, and may
     * come several to a read. Like a decoder's, every whole message a socket read brings is handed
     * up, also with auto-read off; then, with auto-read off, the read ends, and a read asked for by
     * {@code read()} is served once one has been.
     */
    private int readMessages() throws IOException {
        if (frames == null) {
            frames = new FrameReader(config.messages().maxMessageSize(), MESSAGE_READ_CHUNK);
        }
        SocketChannel socket = javaChannel();
        for (int reads = socketReadsPerRead(); reads > 0; reads--) {
            int n = socket.read(frames.readTarget()); // a large body's rest straight into its array
            if (n < 0) {
                if (frames.midFrame()) {
                    pipeline().fireExceptionCaught(new PeerClosedException("read frame", PipeException.NO_CODE,
                            "the peer closed the connection in the middle of a message; the part that arrived is dropped"));
                }
                return -1;
            }
            boolean handedUp = false;
            for (byte[] message; (message = frames.next()) != null; ) { // MessageTooLargeException: a read error
                if (!config.isAutoRead()) {
                    clearReadPending(); // as Netty's loop does before it hands data up
                }
                pipeline().fireChannelRead(Unpooled.wrappedBuffer(message));
                handedUp = true;
                if (!isOpen()) {
                    return 0; // a handler closed it: the rest is nobody's
                }
            }
            if (n == 0 || (handedUp && !config.isAutoRead())) {
                return 0; // nothing more there; or auto-read is off, and what one socket read brought is handed up
            }
        }
        return 0;
    }

    /** The socket reads one read may make: the allocator's messages per read, as a NIO channel's loop makes. */
    private int socketReadsPerRead() {
        return config.getRecvByteBufAllocator() instanceof MaxMessagesRecvByteBufAllocator reads
                ? reads.maxMessagesPerRead()
                : DEFAULT_SOCKET_READS_PER_READ;
    }

    @Override
    protected int doWriteBytes(ByteBuf buf) throws Exception {
        return buf.readBytes(javaChannel(), buf.readableBytes());
    }

    @Override
    protected long doWriteFileRegion(FileRegion region) throws Exception {
        return region.transferTo(javaChannel(), region.transferred());
    }

    /** Gathering writes, as Netty's NIO socket channels: up to 1024 buffers, and about twice the send buffer, per write. */
    @Override
    protected void doWrite(ChannelOutboundBuffer in) throws Exception {
        if (messageMode) {
            doWriteFrames(in);
            return;
        }
        SocketChannel socket = javaChannel();
        int writeSpinCount = config.getWriteSpinCount();
        do {
            if (in.isEmpty()) {
                clearOpWrite();
                return; // all written: no incompleteWrite
            }
            int maxBytes = config.getMaxBytesPerGatheringWrite();
            ByteBuffer[] buffers = in.nioBuffers(1024, maxBytes);
            int count = in.nioBufferCount();
            if (count == 0) {
                writeSpinCount -= doWrite0(in); // a FileRegion, or an empty buffer
                continue;
            }
            long attempted = count == 1 ? buffers[0].remaining() : in.nioBufferSize();
            long written = count == 1 ? socket.write(buffers[0]) : socket.write(buffers, 0, count);
            if (written <= 0) {
                incompleteWrite(true); // the socket is full: wait for OP_WRITE
                return;
            }
            adjustMaxBytesPerGatheringWrite((int) attempted, (int) written, maxBytes);
            in.removeBytes(written);
            --writeSpinCount;
        } while (writeSpinCount > 0);
        incompleteWrite(writeSpinCount < 0);
    }

    /** Message mode: each {@code ByteBuf} one frame, several frames per gathering write ({@link FramedWrites}). */
    private void doWriteFrames(ChannelOutboundBuffer in) throws Exception {
        if (framedWrites == null) {
            framedWrites = new FramedWrites();
        }
        SocketChannel socket = javaChannel();
        int writeSpinCount = config.getWriteSpinCount();
        do {
            Object first = in.current();
            if (first == null) {
                clearOpWrite();
                return; // all written: no incompleteWrite
            }
            if (!(first instanceof ByteBuf)) {
                in.remove(new UnsupportedOperationException("a FileRegion has no message boundaries: on a MESSAGE pipe"
                        + " (PIPE_TYPE), write each message as one ByteBuf"));
                continue;
            }
            int maxBytes = config.getMaxBytesPerGatheringWrite();
            int count = framedWrites.gather(in, maxBytes);
            if (count == 0) {
                // The current entry is a buffer, and gather lays out every one it visits first: this
                // one it did not visit, a write cancelled before its flush (see FramedWrites).
                in.remove();
                continue;
            }
            long attempted = framedWrites.bytes();
            long written = socket.write(framedWrites.buffers(), 0, count);
            if (written <= 0) {
                framedWrites.written(in, 0);
                incompleteWrite(true); // the socket is full: wait for OP_WRITE
                return;
            }
            adjustMaxBytesPerGatheringWrite((int) Math.min(attempted, Integer.MAX_VALUE), (int) written, maxBytes);
            framedWrites.written(in, written);
            --writeSpinCount;
        } while (writeSpinCount > 0);
        incompleteWrite(writeSpinCount < 0);
    }

    /** Follows what the socket takes at once, as Netty's NIO socket channels do. */
    private void adjustMaxBytesPerGatheringWrite(int attempted, int written, int oldMax) {
        if (attempted == written) {
            if (attempted << 1 > oldMax) {
                config.setMaxBytesPerGatheringWrite(attempted << 1);
            }
        } else if (attempted > GATHERING_LOW_THRESHOLD && written < attempted >>> 1) {
            config.setMaxBytesPerGatheringWrite(attempted >>> 1);
        }
    }

    // Half-close: real on a Unix socket.

    @Override
    public boolean isInputShutdown() {
        return inputShutdown || !isActive();
    }

    @Override
    protected boolean isInputShutdown0() {
        return isInputShutdown();
    }

    @Override
    public boolean isOutputShutdown() {
        return outputShutdown || !isActive();
    }

    @Override
    public boolean isShutdown() {
        return isInputShutdown() && isOutputShutdown() || !isActive();
    }

    @Override
    protected void doShutdownOutput() throws Exception {
        javaChannel().shutdownOutput();
        outputShutdown = true;
    }

    @Override
    public ChannelFuture shutdownOutput() {
        return shutdownOutput(newPromise());
    }

    @Override
    public ChannelFuture shutdownOutput(ChannelPromise promise) {
        EventLoop loop = eventLoop();
        if (loop.inEventLoop()) {
            ((AbstractUnsafe) unsafe()).shutdownOutput(promise);
        } else {
            loop.execute(() -> ((AbstractUnsafe) unsafe()).shutdownOutput(promise));
        }
        return promise;
    }

    @Override
    public ChannelFuture shutdownInput() {
        return shutdownInput(newPromise());
    }

    @Override
    public ChannelFuture shutdownInput(ChannelPromise promise) {
        EventLoop loop = eventLoop();
        if (loop.inEventLoop()) {
            shutdownInputNow(promise);
        } else {
            loop.execute(() -> shutdownInputNow(promise));
        }
        return promise;
    }

    private void shutdownInputNow(ChannelPromise promise) {
        try {
            javaChannel().shutdownInput();
            inputShutdown = true;
            promise.setSuccess();
        } catch (Throwable t) {
            promise.setFailure(t);
        }
    }

    @Override
    public ChannelFuture shutdown() {
        return shutdown(newPromise());
    }

    /** Output, then input; the promise fails with the first failure. */
    @Override
    public ChannelFuture shutdown(ChannelPromise promise) {
        shutdownOutput().addListener(output -> shutdownInput().addListener(input -> {
            Throwable cause = output.cause() != null ? output.cause() : input.cause();
            if (cause != null) {
                promise.setFailure(cause);
            } else {
                promise.setSuccess();
            }
        }));
        return promise;
    }

    /** For the config: Netty's read-pending flag is the channel's. */
    void autoReadCleared() {
        clearReadPending();
    }
}
