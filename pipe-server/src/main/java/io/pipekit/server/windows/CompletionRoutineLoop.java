package io.pipekit.server.windows;

import io.pipekit.core.Win32Errors;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinNT.HANDLE;
import io.pipekit.core.PipeException;
import io.pipekit.core.transport.ServerConfig;
import io.pipekit.core.transport.ServerConnection;
import io.pipekit.core.transport.ServerLoop;
import io.pipekit.core.windows.Kernel32Direct;
import io.pipekit.core.windows.Kernel32Ex;
import io.pipekit.core.windows.NativeHandles;
import io.pipekit.core.windows.Win32;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import io.pipekit.core.PipeClosedException;

/**
 * The documented single-threaded server loop, for any number of clients, on one thread.
 *
 * <p>As in the sample, the thread waits in {@code WaitForSingleObjectEx(connectEvent, INFINITE,
 * TRUE)}: the wait returns either because a connect completed (the one manual-reset event is
 * signalled) or because it ran queued completion routines ({@code WAIT_IO_COMPLETION}). Unlike
 * the sample, several instances listen at once (they share the one event; on a signal the loop
 * collects every connect that has an outcome), so a burst of clients does not meet
 * {@code ERROR_PIPE_BUSY}; and a replacement instance is listening before a new client is
 * served, so there is never a moment with no instance to connect to. When no new instance can
 * be made to listen (another process holds the name's last instances, say), the loop says so
 * once, serves its connected clients on, and tries again after a growing pause
 * ({@link ListenRetry}).
 *
 * <p>Unlike the sample, writes go out with an overlapped {@code WriteFile}, not
 * {@code WriteFileEx}. A pipe write completes at once while the pipe's buffer has room, and a
 * completion routine would still cost a trip through the alertable wait for each message (under
 * Wine a wineserver request more per write: 3 against 2, measured in C by
 * bench/wine_requests.sh). A write that completes at once is handed to its instance after the
 * wait, as its routine would have been; one that does not (a full pipe) signals the loop's
 * write event, on which the loop then waits beside the connect event, and is found by its
 * {@code OVERLAPPED}'s status.
 *
 * <p>Other threads reach the loop only through {@link #execute}, which queues the task and an
 * APC ({@code QueueUserAPC}) that runs it on the loop thread at its next alertable wait. A task
 * the loop thread gives itself needs no APC: it runs as soon as the routine or task that gave it
 * returns, or, given outside one, before the next wait.
 */
public final class CompletionRoutineLoop implements ServerLoop {
    private static final System.Logger LOG = System.getLogger("io.pipekit.server");
    private static final Kernel32 K = Kernel32.INSTANCE;
    private static final Kernel32Ex KX = Kernel32Ex.INSTANCE;

    private final ServerConfig config;
    private final Acceptor acceptor;

    /** Writes that completed at once handed over per turn of the loop; see {@link #handOverWrites}. */
    static final int WRITES_PER_TURN = 64;

    // Loop-thread state.
    private final OverlappedTable<PipeInstance> byIoOverlapped = new OverlappedTable<>();
    private final PipeNameHolder name;
    private final ListenRetry listenRetry;
    private final List<PipeInstance> listening = new ArrayList<>();
    private long nextId = 1;
    private boolean stopping; // no longer listening: the loop ends once its instances have
    private boolean closingConnections; // stop() has closed every connected instance
    private volatile boolean stopRequested; // sticky: a stop before there is a thread to queue it to is not lost
    private HANDLE connectEvent;
    private IoEvent writeEvent; // in every write's OVERLAPPED; waited on while a write is pending
    // Writes that completed at once, to be handed to their instances after the wait, as routines
    // would be; and writes in flight, found complete by their OVERLAPPED. Loop-thread state.
    private final ArrayDeque<PipeInstance> writesDone = new ArrayDeque<>();
    private final List<PipeInstance> writesInFlight = new ArrayList<>();

    // Tasks the loop thread gives itself (a handler's send, say): run when the routine or task that
    // gave them returns, or before the next wait; no APC, so no kernel call. Loop-thread state.
    private final ArrayDeque<Runnable> ownTasks = new ArrayDeque<>();
    private Thread javaThread; // the loop's; a stale read elsewhere is never the reader itself

    // Cross-thread state: the task queue and the thread other threads queue APCs to.
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final ApcWaker waker = new ApcWaker(this::runTasks);

    // The native callbacks. Held in fields for the loop's whole life, so that JNA's callback
    // stubs cannot be collected while the kernel may still call them.
    private final Kernel32Direct.IoCompletion readRoutine = this::readCompleted;

    public CompletionRoutineLoop(ServerConfig config, Acceptor acceptor) {
        this.config = config;
        this.acceptor = acceptor;
        this.name = new PipeNameHolder(config);
        this.listenRetry = name.listenRetry();
    }

    Kernel32Direct.IoCompletion readRoutine() {
        return readRoutine;
    }

    HANDLE writeEvent() {
        return writeEvent.handle();
    }

    /** {@code instance}'s write completed at once: it hears so after the wait, as from a routine. */
    void writeCompletedAtOnce(PipeInstance instance) {
        writesDone.add(instance);
    }

    /** {@code instance}'s write is in flight: its completion signals {@link #writeEvent}. */
    void writeInFlight(PipeInstance instance) {
        writesInFlight.add(instance);
    }

    @Override
    public void open() throws PipeException {
        javaThread = Thread.currentThread();
        if (stopRequested) {
            throw new PipeClosedException("CreateNamedPipe " + config.name().path(), PipeException.NO_CODE,
                    "the server was stopped before it opened");
        }
        try {
            connectEvent = NativeHandles.opened(K.CreateEvent(null, true, false, null)); // manual reset, as in the sample
            if (connectEvent == null) {
                throw Win32.lastError("CreateEvent");
            }
            writeEvent = IoEvent.open(connectEvent);
            waker.open();
            name.open();
            claimName();
            replenish();
        } catch (PipeException | RuntimeException e) {
            stopping = true;
            name.stopListening();
            for (PipeInstance instance : new ArrayList<>(listening)) {
                instance.cancelConnect();
            }
            drainCancelledConnects();
            freeLoopResources();
            throw e;
        }
    }

    @Override
    public void run() throws PipeException {
        try {
            if (stopRequested) {
                beginStop(); // asked while opening, before execute could take the stop
            }
            while (!stopping || name.liveInstances() > 0) {
                // Writes already complete are handed over without sleeping; the wait still runs the
                // routines that are queued, so that a connection whose writes keep completing at once
                // cannot keep the others' from running.
                int timeout = writesDone.isEmpty() && !aWriteInFlightCompleted() ? listenRetry.waitMillis(System.nanoTime()) : 0;
                int woke = writeEvent.waitAlertably(!writesInFlight.isEmpty(), timeout);
                if (woke == Kernel32Ex.WAIT_OBJECT_0) {
                    // Reset before collecting, so a connect completing during the sweep signals again;
                    // replenish() re-signals for the ones its own ConnectNamedPipe calls reset.
                    K.ResetEvent(connectEvent);
                    collectConnects();
                } else if (woke == Kernel32Ex.WAIT_OBJECT_0 + 1) {
                    // Reset before looking, as for connects. Starting a write resets it too, which is
                    // why the loop looks at the writes in flight before each wait (above).
                    writeEvent.reset();
                } else if (woke != Kernel32Ex.WAIT_IO_COMPLETION && woke != Win32Errors.WAIT_TIMEOUT) {
                    // Cannot happen with a valid event; if it does, pending I/O may still own native
                    // memory, so leak it rather than free it under the kernel.
                    throw Win32.lastError(IoEvent.waitName(!writesInFlight.isEmpty()));
                }
                handOverWrites();
                runOwnTasks();
                // Instances released since the last wait may have freed room under maxInstances, and
                // a retry after failed listens may be due. Called here, at the loop's top level only,
                // so that a failing instance's release can never recurse into making another.
                replenish();
            }
        } finally {
            freeLoopResources();
        }
    }

    @Override
    public boolean execute(Runnable task) {
        if (Thread.currentThread() == javaThread) {
            // From the loop thread itself (a routine or a task that sends): it runs when that routine
            // or task returns, or after the wait, so an APC, a kernel request under Wine, would only
            // wake a thread that is awake.
            if (!waker.isOpen()) {
                return false;
            }
            ownTasks.add(task);
            return true;
        }
        return waker.enqueueAndWake(() -> tasks.add(task), () -> tasks.remove(task));
    }

    @Override
    public String endpoint() {
        return config.name().path();
    }

    @Override
    public void stop() {
        stopRequested = true;
        execute(this::beginStop);
    }

    private void runTasks() {
        for (Runnable task; (task = tasks.poll()) != null; ) {
            runTask(task);
        }
        runOwnTasks();
    }

    /** Every task the loop thread gave itself, including those they give it in turn. */
    private void runOwnTasks() {
        for (Runnable task; (task = ownTasks.poll()) != null; ) {
            runTask(task);
        }
    }

    private static void runTask(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            LOG.log(Level.ERROR, "task on the server thread failed", e);
        }
    }

    @Override
    public java.util.concurrent.CompletableFuture<Void> stopAccepting() {
        return ServerLoop.whenRun(this, this::endAccepting); // at once if the loop has finished: nothing listens
    }

    private void beginStop() {
        if (closingConnections) {
            return;
        }
        closingConnections = true; // first: a full stop need not wait for the cancelled connects in endAccepting
        endAccepting();
        // Connected ones: cancel their I/O; each releases itself once its completion has run.
        for (PipeInstance instance : byIoOverlapped.values()) {
            if (!listening.contains(instance)) {
                instance.close();
            }
        }
    }

    /** No new client from here on: the listening instances and spare handles go; connected ones stay. */
    private void endAccepting() {
        if (stopping) {
            return;
        }
        stopping = true;
        name.stopListening();
        // Listening instances: cancel the connect; its outcome arrives through the event.
        for (PipeInstance instance : listening) {
            instance.cancelConnect();
        }
        K.SetEvent(connectEvent);
        name.closeSpareHandles();
        if (!closingConnections) {
            // Only stopping to accept (a server socket's close), while clients are served on: wait
            // for the cancelled connects here, so that their instances are closed, and no client can
            // reach one, when the caller hears that the listener is gone. A client that connected
            // as its connect was cancelled is disconnected with it, never served.
            drainCancelledConnects();
        }
    }

    /**
     * Claims the name with the first instance. Unlike later instances, its failure is the
     * caller's: a second server on the name, or a name the OS refuses, fails {@code start()}.
     */
    private void claimName() throws PipeException {
        PipeInstance first = createInstance();
        int error = first.listen(connectEvent);
        if (error != 0) {
            first.release(false);
            throw Win32.exception("ConnectNamedPipe " + config.name().path(), error, null);
        }
        listening.add(first);
    }

    /**
     * Keeps {@code listeningInstances} instances listening, within {@code maxInstances} in all.
     * It never throws and never recurses: an instance that cannot be created or cannot listen
     * ends this round, and {@link #listenRetry} says when the next may start.
     */
    private void replenish() {
        if (stopping || !wantsAnotherListener() || !listenRetry.mayTry(System.nanoTime())) {
            return;
        }
        boolean listened = false;
        try {
            while (wantsAnotherListener()) {
                PipeInstance instance;
                try {
                    instance = createInstance();
                } catch (PipeException e) {
                    listenFailed(e);
                    return;
                }
                listened = true;
                int error = instance.listen(connectEvent);
                if (error != 0) {
                    // Disconnected and kept to listen again if wanted, rather than closed: it may be
                    // the handle that holds the name.
                    instance.release(true);
                    listenFailed(Win32.exception("ConnectNamedPipe " + config.name().path(), error, null));
                    return;
                }
                listening.add(instance);
            }
            int failures = listenRetry.succeeded();
            if (failures > 0) {
                LOG.log(Level.INFO, "listening again on " + config.name().path() + " after " + failures + " failed attempts");
            }
        } finally {
            // Starting an overlapped ConnectNamedPipe resets the OVERLAPPED's event, which all
            // instances share: a connect that completed on another instance just before would
            // lose its signal. Re-signal for any connect that already has an outcome.
            if (listened && listening.stream().anyMatch(PipeInstance::connectOutcomeReady)) {
                K.SetEvent(connectEvent);
            }
        }
    }

    private boolean wantsAnotherListener() {
        return !stopping && name.wantsAnotherListener(listening.size());
    }

    /** Says so once per run of failures, not once per attempt: a failing name must not flood the log. */
    private void listenFailed(PipeException cause) {
        boolean first = listenRetry.failed(System.nanoTime());
        String message = "cannot make a new instance listen; serving the " + (name.liveInstances() - listening.size())
                + " connected clients on with " + listening.size() + " listening, and retrying";
        if (first) {
            log(Level.WARNING, message, cause);
        } else {
            LOG.log(Level.DEBUG, message + " (attempt " + listenRetry.failures() + "): " + cause.getMessage());
        }
    }

    /**
     * The sample's {@code CreateAndConnectInstance}, with pipekit's security defaults: an instance
     * on a spare handle if there is one, else on a new one.
     */
    private PipeInstance createInstance() throws PipeException {
        HANDLE handle = name.takeHandle();
        PipeInstance instance = new PipeInstance(this, handle, nextId++, config.inBufferSize(), config.outBufferSize(),
                config.maxMessageSize());
        byIoOverlapped.put(instance.readOverlapped.address(), instance); // writes have no routine: see the class comment
        return instance;
    }

    /** The {@code case 0:} of the sample's wait loop, for every listening instance with an outcome. */
    private void collectConnects() {
        for (PipeInstance instance : new ArrayList<>(listening)) {
            if (!instance.connectOutcomeReady()) {
                continue;
            }
            listening.remove(instance);
            int error = instance.connectResult();
            if (error != 0 || stopping) {
                if (!stopping && error != Win32Errors.ERROR_NO_DATA) {
                    log(Level.WARNING, "ConnectNamedPipe on instance " + instance.id() + " failed", Win32.exception("ConnectNamedPipe", error, null));
                }
                instance.release(true); // kept to listen again unless stopping: it may hold the name
                continue;
            }
            accept(instance);
        }
    }

    private void accept(PipeInstance instance) {
        // The replacement listens before this client is served.
        replenish();
        try {
            instance.connected();
            ServerConnection.Listener listener = acceptor.accepted(instance);
            instance.setListener(listener);
        } catch (RuntimeException | Error e) {
            // An Error too, as a completion routine's: it costs this client, not the loop.
            log(Level.ERROR, "accepting client " + instance.id() + " failed; closing its connection", e);
            instance.close();
        }
    }

    /** A read's completion routine ran: route it to its instance by the OVERLAPPED's address. */
    private void readCompleted(int error, int bytes, long overlapped) {
        PipeInstance instance = byIoOverlapped.get(overlapped);
        if (instance == null) {
            LOG.log(Level.ERROR, "completion for an OVERLAPPED pipekit does not own; ignored");
            return;
        }
        completed(instance, error, bytes, true);
    }

    /** Whether a write in flight has completed since the loop last looked: then the wait must not sleep. */
    private boolean aWriteInFlightCompleted() {
        // By index: called on every turn, and a for-each's iterator was heap per round trip
        // (8.7 bytes each under Wine, by bench/java/AllocationProbe.java).
        for (int i = 0; i < writesInFlight.size(); i++) {
            if (writesInFlight.get(i).writeOverlapped.completed()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Hands completed writes to their instances, as their routines would have been: at most
     * {@link #WRITES_PER_TURN} of those that completed at once (a handler that sends on each
     * completion would otherwise keep the loop from its wait, and the other clients' routines,
     * for as long as the pipe takes its writes), and every write in flight that has completed.
     */
    private void handOverWrites() {
        for (int i = 0; i < WRITES_PER_TURN; i++) {
            PipeInstance instance = writesDone.poll();
            if (instance == null) {
                break;
            }
            completed(instance, 0, instance.writeOverlapped.bytesTransferred(), false);
        }
        for (int i = 0; i < writesInFlight.size(); ) {
            PipeInstance instance = writesInFlight.get(i);
            if (!instance.writeOverlapped.completed()) {
                i++;
                continue;
            }
            writesInFlight.remove(i);
            completed(instance, writeEvent.errorOf(instance.handle(), instance.writeOverlapped), instance.writeOverlapped.bytesTransferred(), false);
        }
    }

    /** An operation of {@code instance} completed. */
    private void completed(PipeInstance instance, int error, int bytes, boolean read) {
        try {
            if (read) {
                instance.readCompleted(error, bytes);
            } else {
                instance.writeCompleted(error, bytes);
            }
        } catch (RuntimeException | Error e) {
            // Never let an exception cross back into the kernel's APC dispatch.
            log(Level.ERROR, "serving client " + instance.id() + " failed; closing its connection", e);
            instance.close();
        }
        // Before the next routine: one alertable wait runs every APC queued, those queued while it
        // runs included, so a client that keeps the reads completing could keep it from returning.
        // Tasks left for after the wait (a handler's close at the send-queue bound) would starve.
        runOwnTasks();
    }

    /** An instance has closed its handle and freed its memory. */
    void released(PipeInstance instance) {
        byIoOverlapped.remove(instance.readOverlapped.address());
        listening.remove(instance);
        name.released();
        // No replenish() here: this runs inside replenish() itself when a new instance fails to
        // listen, and calling back would recurse for as long as listening keeps failing. The
        // loop replenishes after each wait instead.
    }

    /** See {@link PipeNameHolder#keepToListenAgain}: says whether the handle was kept, else the instance closes it. */
    boolean keepToListenAgain(HANDLE handle) {
        return !stopping && name.keepToListenAgain(handle, listening.size());
    }

    /** See {@link PipeNameHolder#mayOutliveHandle}. */
    boolean mayOutliveHandle() {
        return name.mayOutliveHandle(listening.size());
    }

    private void drainCancelledConnects() {
        while (!listening.isEmpty()) {
            Kernel32Direct.WaitForSingleObjectEx(connectEvent.getPointer(), 1000, true);
            K.ResetEvent(connectEvent);
            collectConnects();
        }
    }

    private void freeLoopResources() {
        name.closeSpareHandles();
        waker.close(); // from here execute refuses: nothing can queue behind the tasks run below
        // Tasks execute accepted since the last wait (another thread's, whose APC no wait will run
        // now, or the loop's own): it promised they run, so they run, while the event they may
        // touch still exists, and find every connection closed, rather than being dropped.
        runTasks();
        if (connectEvent != null) {
            NativeHandles.close(connectEvent);
            connectEvent = null;
        }
        if (writeEvent != null) {
            writeEvent.close();
            writeEvent = null;
        }
        name.free();
    }

    void log(Level level, String message, Throwable failure) {
        if (failure == null) {
            LOG.log(level, message);
        } else {
            LOG.log(level, message, failure);
        }
    }
}
