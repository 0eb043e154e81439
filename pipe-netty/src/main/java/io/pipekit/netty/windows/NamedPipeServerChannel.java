package io.pipekit.netty.windows;

import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinNT.HANDLE;
import io.netty.channel.AbstractServerChannel;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.EventLoop;
import io.pipekit.core.PipeException;
import io.pipekit.core.Win32Errors;
import io.pipekit.core.windows.Kernel32Direct;
import io.pipekit.core.windows.NativeHandles;
import io.pipekit.core.windows.PipeClientToken;
import io.pipekit.core.windows.Win32;
import io.pipekit.netty.NettyPipeAddress;
import io.pipekit.netty.PipeServerChannel;
import io.pipekit.server.Admission;
import io.pipekit.server.windows.ListeningInstance;
import io.pipekit.server.windows.PipeNameHolder;
import java.lang.System.Logger.Level;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A named-pipe server as a Netty server channel: binding claims the name with pipekit's secure
 * defaults ({@link PipeNameHolder}: the security descriptor, remote clients refused, a name
 * another process serves refused with {@code PipeNameInUseException}), then keeps instances
 * listening on its loop's connect event. Each connected client's identity is read
 * ({@link PipeClientToken}) and {@link io.pipekit.netty.PipeChannelOption#ADMISSION} asked before a
 * child channel exists: a refused client never reaches a pipeline.
 *
 * <p>A replacement instance listens before a client is handed out, so there is never a moment
 * with no instance to connect to. With {@code AUTO_READ} off, connected clients wait un-accepted
 * and no new instance listens until {@code read()}: further clients find the pipe busy, the
 * equivalent of a full backlog.
 */
public final class NamedPipeServerChannel extends AbstractServerChannel implements PipeServerChannel, PipeEventLoop.ConnectSweeper {
    private static final System.Logger LOG = System.getLogger("io.pipekit.netty");
    private static final Kernel32 K = Kernel32.INSTANCE;
    private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);

    private final NamedPipeServerChannelConfig config = new NamedPipeServerChannelConfig(this);
    // Loop-thread state.
    private PipeEventLoop loop;
    private NettyPipeAddress local;
    private PipeNameHolder name;
    private final List<ListeningInstance> listening = new ArrayList<>();
    private final ArrayDeque<ListeningInstance> connected = new ArrayDeque<>(); // with a client, not yet accepted
    private boolean acceptRequested;
    private boolean retryScheduled;
    private volatile boolean open = true;
    private volatile boolean bound;

    /** An unbound server channel; Netty's bootstraps make it through its class. */
    public NamedPipeServerChannel() {
    }

    @Override
    public NamedPipeServerChannelConfig config() {
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
        return open && bound;
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
    protected boolean isCompatible(EventLoop eventLoop) {
        return eventLoop instanceof PipeEventLoop;
    }

    @Override
    protected void doRegister() {
        loop = (PipeEventLoop) eventLoop();
        loop.channelRegistered(this);
    }

    @Override
    protected void doDeregister() {
        loop.channelDeregistered(this);
    }

    @Override
    protected void doBind(SocketAddress localAddress) throws Exception {
        if (!(localAddress instanceof NettyPipeAddress address)) {
            throw new java.nio.channels.UnsupportedAddressTypeException();
        }
        config.messages().fix("the server binds with the type it had then: its instances are made with it");
        PipeNameHolder holder = new PipeNameHolder(config.serverConfig(address.pipeName()));
        holder.open();
        ListeningInstance first;
        try {
            first = new ListeningInstance(holder.takeHandle());
        } catch (PipeException | RuntimeException e) {
            holder.free();
            throw e;
        }
        int error = first.listen(loop.connectEvent());
        if (error != 0) {
            first.free(); // no connect pending: it failed at once
            NativeHandles.close(first.handle());
            holder.released();
            holder.free();
            throw Win32.exception("ConnectNamedPipe " + address.pipeName().path(), error, null);
        }
        name = holder;
        listening.add(first);
        local = address;
        loop.addSweeper(this);
        bound = true;
    }

    @Override
    protected void doBeginRead() {
        if (!isActive()) {
            return;
        }
        acceptRequested = true;
        acceptConnected();
        replenish();
    }

    /** The loop's connect event fired: collect every listening instance with an outcome. */
    @Override
    public void sweepConnects() {
        for (ListeningInstance instance : new ArrayList<>(listening)) {
            if (!instance.connectOutcomeReady()) {
                continue;
            }
            listening.remove(instance);
            int error = instance.connectResult();
            if (error != 0 || !isActive()) {
                if (isActive() && error != Win32Errors.ERROR_NO_DATA) {
                    LOG.log(Level.WARNING, "ConnectNamedPipe on " + local + " failed", Win32.exception("ConnectNamedPipe", error, null));
                }
                instance.free();
                dispose(instance.handle(), true);
                continue;
            }
            connected.add(instance);
        }
        if (isActive()) {
            acceptConnected();
            replenish();
        } else {
            finishClosing();
        }
    }

    /** Hands connected clients to the pipeline, one {@code channelRead} each, while a read is wanted. */
    private void acceptConnected() {
        boolean any = false;
        int batch = 0;
        while (!connected.isEmpty() && (acceptRequested || config.isAutoRead()) && batch < config.getMaxMessagesPerRead()) {
            ListeningInstance instance = connected.poll();
            instance.free(); // its connect has its outcome: the OVERLAPPED is ours again
            replenish(); // the replacement listens before this client is served
            accept(instance.handle());
            any = true;
            batch++;
        }
        if (any) {
            if (!config.isAutoRead()) {
                acceptRequested = false;
            }
            pipeline().fireChannelReadComplete();
        }
    }

    private void accept(HANDLE handle) {
        PipeClientToken token = PipeClientToken.of(handle);
        if (!admitted(config.admission(), token)) {
            token.close();
            dispose(handle, true); // the client sees the pipe broken, as PipeServer's refused clients do
            return;
        }
        NamedPipeChannel child;
        try {
            child = new NamedPipeChannel(this, handle, token, local);
        } catch (RuntimeException | Error e) {
            token.close();
            dispose(handle, true);
            throw e;
        }
        pipeline().fireChannelRead(child);
    }

    private boolean admitted(Admission admission, PipeClientToken token) {
        try {
            if (admission.admits(token.identity())) {
                return true;
            }
            LOG.log(Level.WARNING, "refused client " + token.identity() + " on " + local + ": the admission check said no");
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "the admission check failed for client " + token.identity() + " on " + local + "; refusing it", e);
        }
        return false;
    }

    /** Keeps the configured number of instances listening while accepting is wanted. */
    private void replenish() {
        if (!isActive() || !(acceptRequested || config.isAutoRead()) || !name.listenRetry().mayTry(System.nanoTime())) {
            return;
        }
        boolean listened = false;
        try {
            while (name.wantsAnotherListener(listening.size())) {
                ListeningInstance instance;
                try {
                    instance = new ListeningInstance(name.takeHandle());
                } catch (PipeException e) {
                    listenFailed(e);
                    return;
                }
                listened = true;
                int error = instance.listen(loop.connectEvent());
                if (error != 0) {
                    instance.free();
                    dispose(instance.handle(), true);
                    listenFailed(Win32.exception("ConnectNamedPipe " + local, error, null));
                    return;
                }
                listening.add(instance);
            }
            name.listenRetry().succeeded();
        } finally {
            // A new ConnectNamedPipe resets the shared event: re-signal for connects that already have an outcome.
            if (listened && listening.stream().anyMatch(ListeningInstance::connectOutcomeReady)) {
                K.SetEvent(loop.connectEvent());
            }
        }
    }

    private void listenFailed(PipeException cause) {
        if (name.listenRetry().failed(System.nanoTime())) {
            LOG.log(Level.WARNING, "cannot make a new instance of " + local + " listen; retrying", cause);
        }
        if (!retryScheduled) {
            retryScheduled = true;
            loop.schedule(() -> {
                retryScheduled = false;
                replenish();
            }, Math.max(1, name.listenRetry().waitMillis(System.nanoTime())), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * An instance's handle whose client is gone or never came: disconnected and kept to listen
     * again if a listener is wanted (it may be what holds the name), else closed.
     */
    private void dispose(HANDLE handle, boolean disconnect) {
        name.released();
        boolean keep = disconnect && isActive() && K.DisconnectNamedPipe(handle)
                && name.keepToListenAgain(handle, listening.size());
        if (!keep) {
            NativeHandles.close(handle);
        }
    }

    /**
     * A child's handle after its channel closed and its last I/O completed. While the server
     * serves on and another instance holds the name, it is closed without a disconnect, so that
     * the client still reads what was written to it (the close Netty code expects of a socket);
     * else it is disconnected and kept to listen again, or closed.
     */
    void childClosed(HANDLE handle) {
        if (!loop.inEventLoop()) {
            try {
                loop.execute(() -> childClosed(handle));
            } catch (RejectedExecutionException gone) {
                NativeHandles.close(handle);
            }
            return;
        }
        if (name == null) {
            NativeHandles.close(handle);
            return;
        }
        if (isActive() && name.mayOutliveHandle(listening.size())) {
            name.released();
            NativeHandles.close(handle);
            return;
        }
        dispose(handle, true);
        if (isActive()) {
            replenish();
        }
    }

    @Override
    protected void doClose() {
        open = false;
        if (name == null) {
            return;
        }
        name.stopListening();
        for (ListeningInstance instance : listening) {
            instance.cancelConnect(); // its outcome arrives through the event; sweepConnects disposes of it
        }
        // A cancelled connect completes at once in practice: wait for the outcomes briefly (not
        // alertably: no routine runs here), so that the instances, and with them the name, are gone
        // when the close completes, as a closed socket's port is. What is still pending then is
        // collected by the loop's next sweep.
        for (int tries = 0; tries < 100 && listening.stream().anyMatch(instance -> !instance.connectOutcomeReady()); tries++) {
            Kernel32Direct.WaitForSingleObjectEx(loop.connectEvent().getPointer(), 1, false);
        }
        sweepConnects();
        K.SetEvent(loop.connectEvent());
        for (ListeningInstance instance; (instance = connected.poll()) != null; ) {
            instance.free();
            dispose(instance.handle(), true);
        }
        name.closeSpareHandles();
        finishClosing();
    }

    /** For tests' failure messages: what the server holds now (loop thread). */
    String state() {
        long ready = listening.stream().filter(ListeningInstance::connectOutcomeReady).count();
        return "listening " + listening.size() + " (" + ready + " with an outcome), connected un-accepted " + connected.size()
                + ", live instances " + (name == null ? "-" : name.liveInstances()) + ", accept requested " + acceptRequested
                + ", auto-read " + config.isAutoRead() + ", sweeping " + loop.hasSweeper(this);
    }

    /** Once every cancelled connect has its outcome: no instance left, the name let go. */
    private void finishClosing() {
        if (listening.isEmpty() && connected.isEmpty() && name != null && !open) {
            loop.removeSweeper(this);
            name.free();
        }
    }
}
