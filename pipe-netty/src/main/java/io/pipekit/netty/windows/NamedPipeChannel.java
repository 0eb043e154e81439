package io.pipekit.netty.windows;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinNT.HANDLE;
import com.sun.jna.ptr.IntByReference;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.EmptyByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.AbstractChannel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.FileRegion;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.pipekit.core.MessageTooLargeException;
import io.pipekit.core.PeerIdentity;
import io.pipekit.core.PipeException;
import io.pipekit.core.PipeIoException;
import io.pipekit.core.UntrustedServerException;
import io.pipekit.core.Win32Errors;
import io.pipekit.core.transport.ResolvedServerTrust;
import io.pipekit.core.windows.Kernel32Direct;
import io.pipekit.core.windows.Kernel32Ex;
import io.pipekit.core.windows.NativeBuffer;
import io.pipekit.core.windows.NativeHandles;
import io.pipekit.core.windows.PipeClientToken;
import io.pipekit.core.windows.PipeServerIdentity;
import io.pipekit.core.windows.Win32;
import io.pipekit.netty.NettyPipeAddress;
import io.pipekit.netty.PipeChannel;
import io.pipekit.netty.PipePeerAddress;
import io.pipekit.netty.internal.PipeBuffers;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.ConnectException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.TimeUnit;

/**
 * A named-pipe connection as a Netty channel: a server's accepted client, or a client's
 * connection to a server. One class for both, as Netty's epoll transport has one.
 *
 * <p>Reads go straight into the direct {@code ByteBuf}'s memory ({@code ReadFileEx}, or an
 * overlapped {@code ReadFile} when the pipe already holds the bytes); writes go
 * out from direct buffers (an overlapped {@code WriteFile}), one at a time and in order. A write
 * mostly completes at once and needs no routine (under Wine a routine is a wineserver request
 * more per write); one that does not is found by the loop when it ends. The buffer of a
 * pending operation is retained by the channel until the operation's completion has run: Netty
 * releases outbound messages when a channel closes, and the kernel may still be reading or
 * writing that memory. Closing with I/O pending cancels it ({@code CancelIoEx}); the handle is
 * closed (or given back to the server) and the {@code OVERLAPPED}s freed once the last
 * completion has come.
 *
 * <p>On a message-type pipe ({@link io.pipekit.netty.PipeChannelOption#PIPE_TYPE} {@code MESSAGE}:
 * a server's children, or a client that sets message read mode once it has connected) each
 * {@code ByteBuf} written is one {@code WriteFile}, so one message, and each message read is
 * one {@code channelRead}: a read that completes with {@code ERROR_MORE_DATA} is followed by
 * another into the same buffer, grown by what {@code PeekNamedPipe} says is left of the message,
 * until the message is whole or over {@link io.pipekit.netty.PipeChannelOption#MAX_MESSAGE_SIZE}.
 *
 * <p>A named pipe has no half-close: this is not a {@code DuplexChannel}. A client connecting
 * while every instance is busy retries on its loop every few milliseconds until
 * {@code CONNECT_TIMEOUT_MILLIS} ({@code WaitNamedPipe} would block the loop), and checks the
 * server's identity against {@link io.pipekit.netty.PipeChannelOption#SERVER_TRUST} before its
 * connect completes.
 */
public final class NamedPipeChannel extends AbstractChannel implements PipeChannel {
    private static final System.Logger LOG = System.getLogger("io.pipekit.netty");
    private static final Kernel32Ex KX = Kernel32Ex.INSTANCE;
    private static final Kernel32 K = Kernel32.INSTANCE;
    /**
     * Where an empty message is written from: a {@code WriteFile} of zero bytes makes an empty
     * message, and is given a valid address rather than an empty buffer's, which may have none.
     * Held for the class's life (its memory goes with the buffer); nothing is ever written into it.
     */
    private static final ByteBuffer EMPTY_MESSAGE_BUFFER = ByteBuffer.allocateDirect(1);
    private static final Pointer EMPTY_MESSAGE_SOURCE = Native.getDirectBufferPointer(EMPTY_MESSAGE_BUFFER);
    private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);
    private static final long BUSY_RETRY_MILLIS = 5;
    /**
     * Flushed buffers smaller than this together go out in one {@code WriteFile}, copied into
     * one direct buffer: a write is a kernel call (under Wine a wineserver round trip), a copy of
     * a few KiB is far less. Larger ones go out as they are.
     */
    static final int JOIN_LIMIT = 64 * 1024;
    /**
     * With the channel's own {@code RCVBUF_ALLOCATOR}, the most a byte-mode read of bytes already
     * in the pipe asks for, and the bytes after which a read batch ends: a server's pipe buffer
     * ({@link PipeBuffers#DEFAULT_SIZE}), so that one read mostly empties the pipe. Such a read is
     * sized to what {@code PeekNamedPipe} said is there, not to the allocator's guess, which stays
     * within 64 KiB: each read is a kernel call (under Wine a wineserver request), and reads of the
     * guess took a gRPC stream in 16 calls and as many peeks per MB. The read that waits for the
     * peer keeps the guess, since its buffer is held for as long as the peer is silent. The batch
     * ends after as many bytes as NIO's 16 reads of 64 KiB, so that the loop's other channels, tasks
     * and timers wait no longer for one busy channel than on NIO. An allocator the user set is
     * used as Netty means it.
     */
    static final int READ_AT_ONCE_LIMIT = PipeBuffers.DEFAULT_SIZE;

    private final NamedPipeChannelConfig config = new NamedPipeChannelConfig(this);
    private final NamedPipeServerChannel server; // the parent of an accepted channel; null for a client
    private final PendingIo readOp = new PendingIo(this::readOutcome);
    private final PendingIo writeOp = new PendingIo(this::writeCompleted);
    private final Runnable writeMoreTask = () -> { // made once: no allocation per turn
        writeMoreQueued = false;
        ((PipeUnsafe) unsafe()).writeMore();
    };
    private boolean writeMoreQueued; // writeMoreTask waits for the loop's next turn

    // Loop-thread state (volatile where Netty asks from any thread).
    private PipeEventLoop loop; // the loop the I/O was issued on: its completions come there, registered or not
    private HANDLE handle;
    private PipeClientToken clientToken;
    private volatile PeerIdentity peer;
    private volatile NettyPipeAddress local;
    private volatile SocketAddress remote;
    private volatile boolean open = true;
    private volatile boolean active;
    private boolean closed; // doClose ran: no new I/O; the rest is freed after the last completion
    private boolean freed;
    private ByteBuf reading; // the buffer the read (ReadFileEx, or ReadFile when bytes were waiting) fills while readOp is pending
    private ByteBuf writing; // the buffer WriteFile reads from while writeOp is pending
    private FileRegion writingRegion; // the region a pending write's bytes came from, if any
    private final Joining joining = new Joining();
    private long writesStarted; // WriteFile calls made: for tests
    private final NativeBuffer peekCount = new NativeBuffer(4); // PeekNamedPipe's count, made once: no allocation per read
    private int bytesInPipe; // what the last look (bytesWaiting) found in the pipe: the size of a byte-mode read that takes them
    private long batchBytes; // the bytes the read batch has taken so far
    private long largestRead; // the most bytes one read has taken: for tests
    private boolean removingWritten; // a completed write's messages are being removed from the outbound buffer
    private int writingLength; // the bytes the pending write was issued with
    private boolean messageMode; // a message-type pipe read in message mode: fixed once connected or accepted
    private boolean readRequested; // a read() asked for data that has not come yet
    private boolean inputEnded; // the pipe's end was read, or a read failed: no read starts again
    private boolean inReadBatch;
    private boolean handlingRead; // a read's data is being handed up: a read() from a handler now waits for the batch's end
    private ChannelPromise connectPromise;
    private NettyPipeAddress connectAddress;
    private long connectDeadlineNanos;
    private ScheduledFuture<?> connectRetry;

    /** A client channel, unconnected; Netty's {@code Bootstrap} makes it through its class. */
    public NamedPipeChannel() {
        super(null);
        this.server = null;
    }

    /** An accepted client on {@code handle}, whose identity {@code token} holds. */
    NamedPipeChannel(NamedPipeServerChannel server, HANDLE handle, PipeClientToken token, NettyPipeAddress pipe) {
        super(server);
        this.server = server;
        this.handle = handle;
        this.clientToken = token;
        this.peer = token.identity();
        this.local = pipe;
        this.remote = new PipePeerAddress(pipe, token.identity());
        this.active = true;
        attr(PEER_IDENTITY).set(token.identity());
        config.messages().inherit(server.config().messages());
        this.messageMode = config.messages().messages();
    }

    @Override
    public PeerIdentity peerIdentity() {
        return peer;
    }

    @Override
    public NamedPipeChannelConfig config() {
        return config;
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean isActive() {
        return open && active;
    }

    @Override
    public NettyPipeAddress localAddress() {
        return (NettyPipeAddress) super.localAddress();
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
    protected boolean isCompatible(EventLoop eventLoop) {
        return eventLoop instanceof PipeEventLoop;
    }

    @Override
    protected AbstractUnsafe newUnsafe() {
        return new PipeUnsafe();
    }

    @Override
    protected void doRegister() {
        PipeEventLoop registeredOn = (PipeEventLoop) eventLoop();
        if (loop != null && loop != registeredOn && (readOp.pending() || writeOp.pending())) {
            throw new IllegalStateException("I/O of this channel is still pending on its earlier loop");
        }
        if (loop != registeredOn) {
            if (loop != null) {
                loop.untrack(readOp);
            }
            loop = registeredOn;
            loop.track(readOp);
        }
        loop.channelRegistered(this);
    }

    @Override
    protected void doDeregister() {
        loop.channelDeregistered(this);
        if (!closed) {
            // A completion routine is an APC of the thread that issued the I/O: a channel with a
            // read pending cannot move to another loop. Deregistering it closes it; the cancelled
            // read completes, and is freed, here on its own loop (docs/netty.md, "Deregister").
            boolean wasActive = isActive();
            unsafe().close(unsafe().voidPromise());
            if (wasActive) {
                // Netty's own channelInactive for this close comes after channelUnregistered, once
                // the closed channel's pipeline has lost its handlers: they hear it here, first.
                pipeline().fireChannelInactive();
            }
        }
    }

    @Override
    protected void doBind(SocketAddress localAddress) {
        throw new UnsupportedOperationException("a named pipe client is not bound; connect it");
    }

    @Override
    protected void doDisconnect() throws Exception {
        doClose();
    }

    // --- reading ------------------------------------------------------------------------------

    @Override
    protected void doBeginRead() {
        if (!isActive() || closed || inputEnded) {
            return;
        }
        readRequested = true;
        if (!readOp.pending() && !handlingRead) {
            try {
                startRead();
            } catch (RuntimeException | Error e) {
                readFailed(e); // as in a read's outcome: the channel could not read again
            }
        }
    }

    private void startRead() {
        startRead(false);
    }

    /**
     * Starts a read; {@code bytesWaiting} when the pipe is known to hold bytes, so that the read
     * completes at once. In byte mode that was just said by {@link #bytesWaiting}, which left their
     * count in {@code bytesInPipe}.
     */
    private void startRead(boolean bytesWaiting) {
        RecvByteBufAllocator.Handle allocHandle = unsafe().recvBufAllocHandle();
        if (!inReadBatch) {
            allocHandle.reset(config);
            batchBytes = 0;
        }
        ByteBuf buf;
        if (bytesWaiting && !messageMode && bytesInPipe > allocHandle.guess() && config.readsSizedToPipe()) {
            buf = alloc().directBuffer(Math.min(bytesInPipe, READ_AT_ONCE_LIMIT));
        } else {
            buf = allocHandle.allocate(alloc());
        }
        if (!buf.isDirect()) {
            buf.release();
            buf = alloc().directBuffer(allocHandle.guess());
        }
        inReadBatch = true; // only once a buffer is there: a batch that never read has no read complete
        allocHandle.attemptedBytesRead(buf.writableBytes());
        issueRead(buf, buf.writableBytes(), bytesWaiting);
    }

    /**
     * Reads up to {@code length} bytes into {@code buf} at its writer index; the channel owns
     * {@code buf} until the read completes. With {@code bytesWaiting} (the pipe holds bytes: the
     * rest of a message, or the next bytes of a batch) an overlapped {@code ReadFile} takes them at
     * once with no routine to deliver (under Wine, requests saved on every such read); else
     * {@code ReadFileEx} waits for the peer, and its routine comes in the loop's wait.
     */
    private void issueRead(ByteBuf buf, int length, boolean bytesWaiting) {
        long address = address(buf, buf.writerIndex(), length);
        if (bytesWaiting) {
            readOp.overlapped.reset(loop.ioEvent());
            boolean done = Kernel32Direct.ReadFile(handle.getPointer(), new Pointer(address), length, Pointer.NULL, readOp.overlapped.pointer());
            int error = done ? 0 : Native.getLastError();
            if (done || error == Win32Errors.ERROR_MORE_DATA) {
                reading = buf;
                loop.completedAtOnce(readOp, error, readOp.overlapped.bytesTransferred()); // handled as a routine's, after this returns
            } else if (error == Win32Errors.ERROR_IO_PENDING) {
                reading = buf;
                loop.issuedWithEvent(readOp, handle);
            } else {
                buf.release();
                readEnded(error);
            }
            return;
        }
        readOp.overlapped.reset(null);
        if (!Kernel32Direct.ReadFileEx(handle.getPointer(), new Pointer(address), length, readOp.overlapped.pointer(), loop.routine())) {
            int error = Native.getLastError();
            // Wine returns FALSE with ERROR_MORE_DATA when part of a message is there at once, yet
            // queues the routine as Windows does after TRUE: either way the read is pending.
            if (error != Win32Errors.ERROR_MORE_DATA) {
                buf.release();
                readEnded(error);
                return;
            }
        }
        reading = buf;
        loop.issued(readOp);
    }

    /**
     * A read's outcome. What fails in handling it (the next read's buffer not allocated: Netty's
     * pooled allocator throws {@code OutOfDirectMemoryError} at its limit) ends this channel,
     * as Netty's NIO channels end theirs, and not the loop that serves the others.
     */
    private void readOutcome(PendingIo op, int errorCode, int bytes) {
        try {
            readCompleted(op, errorCode, bytes);
        } catch (RuntimeException | Error e) {
            readFailed(e);
        }
    }

    private void readFailed(Throwable cause) {
        if (!PipeEventLoop.isOneChannelsFailure(cause)) {
            throw (Error) cause;
        }
        if (closed || inputEnded) {
            LOG.log(Level.WARNING, "handling a read of a closing pipe channel failed", cause);
            return;
        }
        inputFailed(cause);
    }

    private void readCompleted(PendingIo op, int errorCode, int bytes) {
        ByteBuf buf = reading;
        reading = null;
        if (closed) {
            // A cancelled read: its data, if it raced the cancel, is for nobody now.
            buf.release();
            freeWhenIdle();
            return;
        }
        boolean moreData = errorCode == Win32Errors.ERROR_MORE_DATA || readOp.overlapped.status() == Kernel32Ex.STATUS_BUFFER_OVERFLOW;
        if (errorCode != 0 && !moreData) {
            buf.release();
            readEnded(errorCode);
            return;
        }
        RecvByteBufAllocator.Handle allocHandle = unsafe().recvBufAllocHandle();
        if (messageMode) {
            buf.writerIndex(buf.writerIndex() + bytes);
            if (moreData) {
                readRestOfMessage(buf);
                return;
            }
            // The message is whole; an empty one (a zero-byte write of the peer's) is a message too.
            int total = buf.readableBytes();
            if (total > config.messages().maxMessageSize()) { // read at once into a buffer larger than the limit
                buf.release();
                inputFailed(tooLarge(total));
                return;
            }
            if (total > allocHandle.attemptedBytesRead()) {
                allocHandle.attemptedBytesRead(total); // so the allocator learns the size of the messages that come
            }
            allocHandle.lastBytesRead(total);
        } else {
            if (bytes == 0) {
                // A zero-byte write of the peer's: not the end of the pipe, which is an error code here.
                buf.release();
                startRead();
                return;
            }
            buf.writerIndex(buf.writerIndex() + bytes);
            allocHandle.lastBytesRead(bytes);
            largestRead = Math.max(largestRead, bytes);
            batchBytes += bytes;
        }
        allocHandle.incMessagesRead(1);
        readRequested = false;
        handlingRead = true;
        try {
            pipeline().fireChannelRead(buf);
        } finally {
            handlingRead = false;
        }
        if (closed || inputEnded) {
            if (closed) {
                // A handler closed the channel in channelRead: the read is still complete, as on NIO.
                allocHandle.readComplete();
                inReadBatch = false;
                pipeline().fireChannelReadComplete();
            }
            return;
        }
        // The batch goes on, as the allocator asks, only while bytes are already in the pipe. A
        // socket transport's next read returns 0 when nothing is there and ends the batch; a read
        // issued here would wait instead, for bytes the peer may send only once it has our answer
        // to what it just sent, which handlers flush at channelReadComplete (an echo does, gRPC
        // does). The allocator asks to go on whenever a read filled its buffer, and its guess
        // shrinks to 64 bytes under small messages: a 64-byte request then hung the connection.
        // A message's own read filled its buffer or not, whatever follows it: in message mode the
        // batch goes on while the next message is there, however the last one ended.
        if (messageMode ? anotherMessageWaiting(allocHandle) : allocHandle.continueReading() && withinBatchBudget() && bytesWaiting()) {
            startRead(true);
            return;
        }
        allocHandle.readComplete();
        inReadBatch = false;
        pipeline().fireChannelReadComplete();
        if (!closed && !inputEnded && !readOp.pending() && (config.isAutoRead() || readRequested)) {
            startRead();
        }
    }

    /** Whether the batch may read on: with the channel's own allocator, until it took {@link #READ_AT_ONCE_LIMIT} bytes. */
    private boolean withinBatchBudget() {
        return batchBytes < READ_AT_ONCE_LIMIT || !config.readsSizedToPipe();
    }

    /** Whether the pipe holds bytes a read would take at once ({@code PeekNamedPipe}); false if it cannot say. */
    private boolean bytesWaiting() {
        Pointer count = peekCount.pointer();
        bytesInPipe = Kernel32Direct.PeekNamedPipe(handle.getPointer(), Pointer.NULL, 0, Pointer.NULL, count, Pointer.NULL) ? count.getInt(0) : 0;
        return bytesInPipe > 0;
    }

    /** Message mode: whether the batch goes on, as the allocator allows, with the next message's bytes already in the pipe. */
    private boolean anotherMessageWaiting(RecvByteBufAllocator.Handle allocHandle) {
        // The pipe is asked whatever the handle does with its "maybe more data" supplier: one
        // that ignores it (respectMaybeMoreData(false)) would read on into an empty pipe.
        return allocHandle instanceof RecvByteBufAllocator.ExtendedHandle extended
                ? extended.continueReading(() -> true) && bytesWaiting()
                : allocHandle.continueReading() && bytesWaiting();
    }

    /**
     * Message mode, after a read that ended with {@code ERROR_MORE_DATA}: reads the rest of the
     * message into the same buffer, grown by what is left of it. The buffer may move as it grows:
     * no read is pending, so the kernel holds no address into it.
     */
    private void readRestOfMessage(ByteBuf buf) {
        int limit = config.messages().maxMessageSize();
        int have = buf.readableBytes();
        int left = bytesLeftInMessage();
        long atLeast = (long) have + Math.max(left, 1); // ERROR_MORE_DATA: one byte more at the least
        if (atLeast > limit) {
            buf.release();
            inputFailed(tooLarge(atLeast));
            return;
        }
        // PeekNamedPipe says how much is left; should it not, the buffer doubles until the message ends.
        int more = left > 0 ? left : (int) Math.min(limit - have, Math.max(have, 4096));
        try {
            buf.ensureWritable(more);
        } catch (RuntimeException | Error e) {
            buf.release(); // the part of the message read so far
            throw e;
        }
        issueRead(buf, (int) Math.min(buf.writableBytes(), (long) limit - have), true);
    }

    private MessageTooLargeException tooLarge(long atLeast) {
        return new MessageTooLargeException("ReadFile", PipeException.NO_CODE, "message of more than "
                + config.messages().maxMessageSize() + " bytes refused (" + atLeast + " bytes at least); the channel closes");
    }

    /** The bytes of the message being read that no read has taken yet, or 0 if the pipe cannot say. */
    private int bytesLeftInMessage() {
        Pointer count = peekCount.pointer();
        return Kernel32Direct.PeekNamedPipe(handle.getPointer(), Pointer.NULL, 0, Pointer.NULL, Pointer.NULL, count) ? count.getInt(0) : 0;
    }

    /** The pipe's end (the peer closed it) or a read error: the channel closes; there is no half-close. */
    private void readEnded(int errorCode) {
        boolean peerLeft = errorCode == Win32Errors.ERROR_BROKEN_PIPE || errorCode == Win32Errors.ERROR_NO_DATA
                || errorCode == Win32Errors.ERROR_PIPE_NOT_CONNECTED || errorCode == Win32Errors.ERROR_OPERATION_ABORTED;
        inputFailed(peerLeft ? null : Win32.exception("ReadFile", errorCode, null));
    }

    /**
     * Reading is over: the batch, if one is open, completes; {@code cause}, if any, goes to the
     * pipeline; and the channel closes. No batch is open when the next read's buffer could not be
     * allocated after the last batch completed, or before any read began.
     */
    private void inputFailed(Throwable cause) {
        inputEnded = true; // first: the read-complete below may ask for another read (auto-read)
        readRequested = false;
        if (inReadBatch) {
            RecvByteBufAllocator.Handle allocHandle = unsafe().recvBufAllocHandle();
            allocHandle.lastBytesRead(-1);
            allocHandle.readComplete();
            inReadBatch = false;
            pipeline().fireChannelReadComplete();
        }
        if (cause != null) {
            pipeline().fireExceptionCaught(cause);
        }
        unsafe().close(unsafe().voidPromise());
    }

    // --- writing ------------------------------------------------------------------------------

    @Override
    protected Object filterOutboundMessage(Object msg) {
        if (msg instanceof ByteBuf buf) {
            if (buf.hasMemoryAddress() || (buf.isDirect() && buf.nioBufferCount() == 1)) {
                // An empty message gets a buffer of its own, so that only a write cancelled before
                // its flush has Netty's shared empty one in the outbound buffer (see writeOne).
                return buf == Unpooled.EMPTY_BUFFER ? new EmptyByteBuf(alloc()) : buf; // the mode may not be known yet
            }
            // Heap or composite: the kernel needs one block of native memory.
            ByteBuf direct = alloc().directBuffer(buf.readableBytes());
            direct.writeBytes(buf, buf.readerIndex(), buf.readableBytes());
            ReferenceCountUtil.safeRelease(buf);
            return direct;
        }
        if (msg instanceof FileRegion) {
            if (messageMode) {
                throw new UnsupportedOperationException("a FileRegion has no message boundaries: on a MESSAGE pipe (PIPE_TYPE),"
                        + " write each message as one ByteBuf");
            }
            return msg;
        }
        throw new UnsupportedOperationException("unsupported message type: " + msg.getClass().getName() + " (expected ByteBuf or FileRegion)");
    }

    /**
     * Writes the flushed messages, as Netty's NIO channels do: each write that completes at once
     * (the pipe had room) is taken from the outbound buffer here, and the next goes out, up to
     * the write spin count; then the rest goes on after the loop's next wait
     * ({@link PipeEventLoop#runAfterWait}), so that other channels' completions are not kept waiting. A write that does not complete at once is in flight: its
     * completion, found by the loop, starts the next.
     */
    @Override
    protected void doWrite(ChannelOutboundBuffer in) throws Exception {
        if (writeOp.pending() || closed || removingWritten) {
            return; // one write in flight, or its bytes being removed: its completion starts the next
        }
        for (int spins = config.getWriteSpinCount(); spins > 0; spins--) {
            if (!writeOne(in) || writeOp.pending() || closed) {
                return; // nothing left, or a write in flight
            }
        }
        if (in.current() != null && !writeMoreQueued) {
            writeMoreQueued = true;
            loop.runAfterWait(writeMoreTask);
        }
    }

    /** Starts the next flushed message, and takes it from {@code in} when it completed at once. False when nothing was left. */
    private boolean writeOne(ChannelOutboundBuffer in) throws Exception {
        for (;;) {
            Object msg = in.current();
            if (msg == null) {
                return false;
            }
            if (msg instanceof ByteBuf buf) {
                // Netty keeps the entry of a write cancelled before its flush, with its shared empty
                // buffer for a message; an empty message the user wrote has one of its own
                // (filterOutboundMessage). An empty message is a message; empty bytes are nothing.
                if (buf == Unpooled.EMPTY_BUFFER || (!buf.isReadable() && !messageMode)) {
                    in.remove();
                    continue;
                }
                // A message pipe's writes are its messages: never joined.
                ByteBuf joined = !messageMode && in.size() > 1 && buf.readableBytes() < JOIN_LIMIT ? joinFlushed(in) : null;
                if (joined != null) {
                    startWrite(joined, joined.readerIndex(), joined.readableBytes(), null);
                } else {
                    startWrite(buf.retain(), buf.readerIndex(), buf.readableBytes(), null);
                }
                return true;
            }
            FileRegion region = (FileRegion) msg;
            if (region.transferred() >= region.count()) {
                in.remove();
                continue;
            }
            int chunk = (int) Math.min(64 * 1024, region.count() - region.transferred());
            ByteBuf copy = alloc().directBuffer(chunk);
            try {
                long copied = region.transferTo(new ByteBufChannel(copy), region.transferred());
                if (copied <= 0) {
                    copy.release();
                    in.remove(new IOException("the file region gave no bytes at " + region.transferred() + " of " + region.count()));
                    continue;
                }
            } catch (IOException | RuntimeException e) {
                copy.release();
                throw e;
            }
            startWrite(copy, copy.readerIndex(), copy.readableBytes(), region);
            return true;
        }
    }

    /**
     * The flushed buffers from the current one on, as long as they are buffers and together stay
     * within {@link #JOIN_LIMIT}, copied into one direct buffer; null when only the current one
     * fits. The outbound buffer keeps them: the write's completion removes the bytes that went.
     */
    private ByteBuf joinFlushed(ChannelOutboundBuffer in) throws Exception {
        joining.reset();
        in.forEachFlushedMessage(joining);
        if (joining.count < 2) {
            return null;
        }
        ByteBuf joined = alloc().directBuffer(joining.bytes);
        joining.into = joined;
        joining.copying = true;
        try {
            in.forEachFlushedMessage(joining);
        } catch (RuntimeException e) {
            joined.release();
            throw e;
        } finally {
            joining.into = null;
            joining.copying = false;
        }
        return joined;
    }

    /** Counts, then copies, the run of flushed buffers {@link #joinFlushed} joins. Loop thread only. */
    private static final class Joining implements ChannelOutboundBuffer.MessageProcessor {
        int count;
        int bytes;
        private int left;
        boolean copying;
        ByteBuf into;

        void reset() {
            count = 0;
            bytes = 0;
        }

        @Override
        public boolean processMessage(Object msg) {
            if (copying) {
                if (left == 0) {
                    return false;
                }
                ByteBuf buf = (ByteBuf) msg;
                into.writeBytes(buf, buf.readerIndex(), buf.readableBytes());
                left--;
                return left > 0;
            }
            if (!(msg instanceof ByteBuf buf) || bytes + buf.readableBytes() > JOIN_LIMIT) {
                left = count;
                return false;
            }
            bytes += buf.readableBytes();
            count++;
            left = count;
            return true;
        }
    }

    /**
     * Writes {@code length} bytes of {@code buf}, which this call owns a reference to, with an
     * overlapped {@code WriteFile}. Completed at once, the write is taken from the outbound
     * buffer before this returns; else it is in flight, and {@link #writeCompleted} comes.
     */
    private void startWrite(ByteBuf buf, int index, int length, FileRegion region) throws IOException {
        writeOp.overlapped.reset(loop.ioEvent());
        Pointer from = length == 0 ? EMPTY_MESSAGE_SOURCE : new Pointer(address(buf, index, length));
        writesStarted++;
        writingLength = length;
        if (Kernel32Direct.WriteFile(handle.getPointer(), from, length, Pointer.NULL, writeOp.overlapped.pointer())) {
            buf.release(); // the kernel is done with its memory
            written(0, writeOp.overlapped.bytesTransferred(), region);
            return;
        }
        int error = Native.getLastError();
        if (error != Win32Errors.ERROR_IO_PENDING) {
            buf.release();
            throw Win32.exception("WriteFile", error, null);
        }
        writing = buf;
        writingRegion = region;
        loop.issuedWithEvent(writeOp, handle);
    }

    /** A write that was in flight has ended. */
    private void writeCompleted(PendingIo op, int errorCode, int bytes) {
        ByteBuf buf = writing;
        FileRegion region = writingRegion;
        writing = null;
        writingRegion = null;
        buf.release(); // the kernel is done with its memory
        if (closed) {
            freeWhenIdle();
            return;
        }
        if (written(errorCode, bytes, region)) {
            ((PipeUnsafe) unsafe()).writeMore();
        }
    }

    /**
     * Takes a completed write's bytes from the outbound buffer, or, when it failed, fails its
     * message and closes the channel. Returns whether the channel may write on.
     */
    private boolean written(int errorCode, int bytes, FileRegion region) {
        ChannelOutboundBuffer in = unsafe().outboundBuffer();
        IOException failure = null;
        if (errorCode != 0) {
            failure = Win32.exception("WriteFile", errorCode, null);
        } else if (messageMode && bytes != writingLength) {
            // A message goes out whole or not at all; a part of one would be a message of its own.
            failure = new PipeIoException("WriteFile", PipeException.NO_CODE, "wrote " + bytes + " of a " + writingLength + "-byte message");
        }
        if (failure != null) {
            if (in != null) {
                in.remove(failure); // the message that did not go out; the close fails the rest
            }
            unsafe().close(unsafe().voidPromise());
            return false;
        }
        if (in != null) {
            if (messageMode) {
                // One message, removed on its own: removeBytes would also drop the empty messages
                // behind it. Its promise's listeners may flush: no write starts until it is gone.
                removingWritten = true;
                try {
                    in.progress(bytes);
                    in.remove();
                } finally {
                    removingWritten = false;
                }
            } else if (region == null) {
                // Removing a message completes its promise, whose listeners may write and flush:
                // no write may start before every message this one carried is gone, or it would
                // send their bytes again.
                removingWritten = true;
                try {
                    in.removeBytes(bytes);
                } finally {
                    removingWritten = false;
                }
            } else {
                in.progress(bytes);
                if (region.transferred() >= region.count()) {
                    in.remove();
                }
            }
        }
        return !closed;
    }

    /** The memory address of {@code buf}'s bytes from {@code index}: Netty's, or JNA's for a direct buffer without one. */
    private static long address(ByteBuf buf, int index, int length) {
        if (buf.hasMemoryAddress()) {
            return buf.memoryAddress() + index;
        }
        ByteBuffer view = buf.nioBuffer(index, length); // a direct buffer shares the memory: its base is the index
        return Pointer.nativeValue(Native.getDirectBufferPointer(view));
    }

    /** A {@code FileRegion}'s target: copies what it is given into a direct buffer, up to its capacity. */
    private static final class ByteBufChannel implements WritableByteChannel {
        private final ByteBuf into;

        ByteBufChannel(ByteBuf into) {
            this.into = into;
        }

        @Override
        public int write(ByteBuffer src) {
            int n = Math.min(src.remaining(), into.writableBytes());
            ByteBuffer part = src.duplicate();
            part.limit(part.position() + n);
            into.writeBytes(part);
            src.position(src.position() + n);
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    // --- closing ------------------------------------------------------------------------------

    @Override
    protected void doClose() {
        if (closed) {
            return;
        }
        closed = true;
        open = false;
        active = false;
        if (connectRetry != null) {
            connectRetry.cancel(false);
            connectRetry = null;
        }
        if (connectPromise != null) {
            connectPromise.tryFailure(new ClosedChannelException());
            connectPromise = null;
        }
        if (handle != null && (readOp.pending() || writeOp.pending())) {
            // Each completion still comes, aborted, and frees its buffer; the last frees the rest.
            KX.CancelIoEx(handle, null);
        }
        freeWhenIdle();
    }

    /** The handle, the token and the OVERLAPPEDs go once the channel is closed and nothing is pending: exactly once. */
    private void freeWhenIdle() {
        if (!closed || freed || readOp.pending() || writeOp.pending()) {
            return;
        }
        freed = true;
        if (loop != null) {
            loop.untrack(readOp);
        }
        readOp.overlapped.free();
        writeOp.overlapped.free();
        peekCount.free();
        if (clientToken != null) {
            clientToken.close();
        }
        HANDLE h = handle;
        handle = null;
        if (h != null) {
            if (server != null) {
                server.childClosed(h);
            } else {
                NativeHandles.close(h);
            }
        }
    }

    // --- connecting (a client) -----------------------------------------------------------------

    private void tryConnect() {
        connectRetry = null;
        ChannelPromise promise = connectPromise;
        if (promise == null || closed) {
            return;
        }
        String path = connectAddress.pipeName().path();
        int flags = Kernel32Ex.FILE_FLAG_OVERLAPPED | Kernel32Ex.SECURITY_SQOS_PRESENT | Kernel32Ex.SECURITY_IDENTIFICATION;
        HANDLE opened = NativeHandles.opened(Kernel32Ex.OPENING.CreateFile(path, Kernel32.GENERIC_READ | Kernel32.GENERIC_WRITE, 0, null,
                Kernel32.OPEN_EXISTING, flags, null));
        if (!WinBase.INVALID_HANDLE_VALUE.equals(opened)) {
            PeerIdentity serverIdentity;
            try {
                serverIdentity = PipeServerIdentity.of(opened);
                if (!PipeServerIdentity.trusted(serverIdentity, ResolvedServerTrust.of(config.serverTrust()))) {
                    throw new UntrustedServerException("connect " + path, serverIdentity, config.serverTrust());
                }
                if (messageMode) {
                    setMessageReadMode(opened, path);
                }
            } catch (PipeException | RuntimeException e) {
                NativeHandles.close(opened);
                connectFailed(e);
                return;
            }
            handle = opened;
            peer = serverIdentity;
            attr(PEER_IDENTITY).set(serverIdentity);
            local = connectAddress;
            remote = connectAddress;
            active = true;
            connectPromise = null;
            boolean promiseSet = promise.trySuccess();
            pipeline().fireChannelActive();
            if (!promiseSet) {
                unsafe().close(unsafe().voidPromise()); // cancelled meanwhile
            }
            return;
        }
        int error = Native.getLastError();
        if (error == Win32Errors.ERROR_PIPE_BUSY) {
            if (config.getConnectTimeoutMillis() > 0 && System.nanoTime() - connectDeadlineNanos >= 0) { // 0: no timeout, as in Netty
                connectFailed(new ConnectTimeoutException("every instance of " + path + " stayed busy for "
                        + config.getConnectTimeoutMillis() + " ms"));
                return;
            }
            // Never WaitNamedPipe: it blocks the loop. Try again shortly, on the loop.
            connectRetry = eventLoop().schedule(this::tryConnect, BUSY_RETRY_MILLIS, TimeUnit.MILLISECONDS);
        } else if (error == Win32Errors.ERROR_FILE_NOT_FOUND) {
            connectFailed(new ConnectException("no such pipe: " + path + " (is the server running?)"));
        } else {
            connectFailed(Win32.exception("connect " + path, error, null));
        }
    }

    /**
     * Puts a client's handle in message read mode, as pipekit's client does for a message-type
     * pipe. Windows refuses it on a byte-type pipe with {@code ERROR_INVALID_PARAMETER} (Wine too,
     * measured: docs/testbed.md); the pipe's type is asked first, as {@code PipeClient} asks it, so
     * that the failure, with the same code, says what to do.
     */
    private static void setMessageReadMode(HANDLE opened, String path) throws PipeException {
        IntByReference flags = new IntByReference();
        if (!K.GetNamedPipeInfo(opened, flags, null, null, null)) {
            throw Win32.lastError("GetNamedPipeInfo " + path);
        }
        if ((flags.getValue() & Kernel32Ex.PIPE_TYPE_MESSAGE) == 0) {
            throw Win32.exception("SetNamedPipeHandleState " + path, Win32Errors.ERROR_INVALID_PARAMETER,
                    "PIPE_TYPE MESSAGE needs a message-type pipe, and this one is byte-type: connect with PipeType.BYTE");
        }
        if (!K.SetNamedPipeHandleState(opened, new IntByReference(Kernel32Ex.PIPE_READMODE_MESSAGE), null, null)) {
            throw Win32.lastError("SetNamedPipeHandleState " + path);
        }
    }

    private void connectFailed(Throwable cause) {
        ChannelPromise promise = connectPromise;
        connectPromise = null;
        // Closed first, as a refused TCP connect leaves no open channel behind when its future fails.
        unsafe().close(unsafe().voidPromise());
        if (promise != null) {
            promise.tryFailure(cause);
        }
    }

    private final class PipeUnsafe extends AbstractUnsafe {
        @Override
        public void connect(SocketAddress remoteAddress, SocketAddress localAddress, ChannelPromise promise) {
            if (promise.isDone() || !ensureOpen(promise)) {
                return;
            }
            if (handle != null) {
                promise.setFailure(new AlreadyConnectedException());
                return;
            }
            if (connectPromise != null) {
                promise.setFailure(new ConnectionPendingException());
                return;
            }
            if (!(remoteAddress instanceof NettyPipeAddress address)) {
                promise.setFailure(new UnsupportedAddressTypeException());
                return;
            }
            connectPromise = promise;
            connectAddress = address;
            config.messages().fix("the channel connects with the type it had then");
            messageMode = config.messages().messages();
            connectDeadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.getConnectTimeoutMillis());
            // Cancelling the connect while it retries a busy pipe stops the retries and closes the channel.
            promise.addListener((ChannelFutureListener) future -> {
                if (future.isCancelled() && connectPromise == promise) {
                    connectPromise = null;
                    close(voidPromise());
                }
            });
            tryConnect();
        }

        /** After a write completed: the next flushed message, if any, goes out. */
        void writeMore() {
            flush0();
        }
    }

    /** For tests: what the channel waits for, when a test finds it stalled. Loop thread only. */
    String state() {
        ChannelOutboundBuffer out = unsafe().outboundBuffer();
        return "read pending " + readOp.pending() + ", write pending " + writeOp.pending() + ", read requested " + readRequested
                + ", in read batch " + inReadBatch + ", handling read " + handlingRead + ", input ended " + inputEnded
                + ", closed " + closed + ", auto-read " + config.isAutoRead() + ", outbound "
                + (out == null ? "none" : out.size() + " messages, " + out.totalPendingWriteBytes() + " bytes")
                + ", loop pending ops " + loop.pendingOps() + ", loop waiting " + loop.waiting();
    }

    /** For tests: how many {@code WriteFile} calls this channel has made. Loop thread only. */
    long writesStarted() {
        return writesStarted;
    }

    /** For tests: the most bytes one byte-mode read has taken. Loop thread only. */
    long largestRead() {
        return largestRead;
    }

    /** For tests: whether a read or write is in flight. */
    boolean ioPending() {
        return readOp.pending() || writeOp.pending();
    }
}
