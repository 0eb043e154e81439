package io.pipekit.netty.windows;

import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinNT.HANDLE;
import io.netty.channel.Channel;
import io.netty.channel.SingleThreadEventLoop;
import io.pipekit.core.PipeException;
import io.pipekit.core.Win32Errors;
import io.pipekit.core.windows.Kernel32Direct;
import io.pipekit.core.windows.Kernel32Ex;
import io.pipekit.core.windows.NativeHandles;
import io.pipekit.core.windows.Win32;
import io.pipekit.server.windows.ApcWaker;
import io.pipekit.server.windows.IoEvent;
import io.pipekit.server.windows.OverlappedTable;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Netty event loop on pipekit's completion-routine loop: one thread that waits alertably
 * ({@code WaitForSingleObjectEx} on the connect event its server channels' listening instances
 * share), runs the completion routines of the I/O its channels started, and Netty's tasks.
 *
 * <p>A completion routine does no channel work: it only records the outcome and puts the
 * operation on a loop-local queue. After the wait the loop hands each outcome to its channel,
 * where the pipeline runs, then runs Netty's tasks. So no handler ever runs inside an APC, and
 * none runs while a routine is on the stack.
 *
 * <p>Operations may also be issued without a routine ({@link #issuedWithEvent}): a channel writes
 * with an overlapped {@code WriteFile}, which mostly completes at once and then needs nothing from
 * the loop; one that does not signals the loop's I/O event, on which the loop then waits beside
 * the connect event, and is found complete by its {@code OVERLAPPED}'s status and queued with the
 * routines' outcomes.
 *
 * <p>The wait's timeout is the delay to Netty's next scheduled task, rounded up to whole
 * milliseconds (rounded down, a task due in 0.4 ms would make the loop spin). Another thread
 * wakes the loop with one {@code QueueUserAPC} ({@link ApcWaker}), and only while the loop waits
 * or is about to: the {@code nextWakeupNanos} protocol of Netty's {@code EpollEventLoop}.
 *
 * <p>It ends only once no operation is pending: a pending operation's {@code OVERLAPPED} and
 * buffer belong to the kernel, which may still write them. If one never completes (a kernel or
 * Wine bug), the loop logs it and leaks that memory rather than free it under the kernel.
 */
public final class PipeEventLoop extends SingleThreadEventLoop {
    private static final System.Logger LOG = System.getLogger("io.pipekit.netty");
    private static final Kernel32 K = Kernel32.INSTANCE;
    private static final long AWAKE = -1L;
    private static final long NONE = Long.MAX_VALUE;
    private static final int SHUTDOWN_POLL_MILLIS = 100;
    private static final long DRAIN_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** Waits that ran routines in a row after which the loop looks at the connect event itself. */
    static final int CONNECT_CHECK_TURNS = 16;

    // AWAKE while the loop runs; NONE while it waits without a deadline; else the deadline it waits to.
    private final AtomicLong nextWakeupNanos = new AtomicLong(AWAKE);
    private final ApcWaker waker = new ApcWaker(() -> { }); // the APC only ends the wait; the loop then looks at its tasks

    // Loop-thread state.
    private final OverlappedTable<PendingIo> operations = new OverlappedTable<>();
    private final ArrayDeque<PendingIo> completions = new ArrayDeque<>();
    private final Set<Channel> channels = new LinkedHashSet<>();
    private final List<ConnectSweeper> sweepers = new ArrayList<>();
    private int pendingOps;
    private int busyTurns; // waits in a row that said WAIT_IO_COMPLETION since the connect event was last looked at
    private long connectChecks; // looks at the connect event beside the wait: for tests
    private HANDLE connectEvent;
    private IoEvent ioEvent; // in the OVERLAPPED of every operation issued without a routine
    private final List<PendingIo> inFlight = new ArrayList<>(); // issued without a routine, not yet seen complete
    private final ArrayDeque<Runnable> afterWait = new ArrayDeque<>(); // see runAfterWait
    private Thread thread;

    // Held for the loop's whole life, so JNA's stub stays reachable while the kernel may call it.
    private final Kernel32Direct.IoCompletion routine = this::completed;

    /** A server channel's part in the loop: collects its connects when the shared event fires. */
    interface ConnectSweeper {
        void sweepConnects();
    }

    PipeEventLoop(PipeEventLoopGroup parent, Executor executor) {
        super(parent, executor, false);
    }

    // --- for channels (loop thread) ---------------------------------------------------------

    /** The completion routine every channel of this loop issues its I/O with. */
    Kernel32Direct.IoCompletion routine() {
        return routine;
    }

    /** The manual-reset event every listening instance on this loop connects with. */
    HANDLE connectEvent() {
        return connectEvent;
    }

    /** The manual-reset event to put in the {@code OVERLAPPED} of an operation issued without a routine. */
    HANDLE ioEvent() {
        return ioEvent.handle();
    }

    /**
     * {@code op} was issued on {@code file} without a routine, and did not complete at once: the
     * loop finds its end by its {@code OVERLAPPED} (after {@link #ioEvent()} is signalled), hands it
     * to its owner as it would a routine's, and does not end before it has.
     */
    void issuedWithEvent(PendingIo op, HANDLE file) {
        op.file = file;
        issued(op);
        inFlight.add(op);
    }

    /**
     * {@code op} was issued without a routine and completed at once: its owner hears of it as of
     * a routine's, once the call that issued it has returned (with the completions being handed
     * over, or after the next wait), so that a chain of reads that complete at once never recurses.
     */
    void completedAtOnce(PendingIo op, int errorCode, int bytesTransferred) {
        issued(op);
        op.errorCode = errorCode;
        op.bytesTransferred = bytesTransferred;
        completions.add(op);
    }

    /**
     * Runs {@code work} after the loop's next wait, which then does not sleep but runs the
     * routines queued meanwhile. For work that would otherwise keep the loop from its wait: a
     * channel whose writes keep completing at once goes on in turns (Netty's {@code runAllTasks}
     * runs the tasks added while it runs, so a task that queues itself again would run until the
     * turn's time bound, with no wait between).
     */
    void runAfterWait(Runnable work) {
        afterWait.add(work);
    }

    /** Makes {@code op}'s completions findable by its {@code OVERLAPPED}. */
    void track(PendingIo op) {
        operations.put(op.overlapped.address(), op);
    }

    /** Forgets {@code op}; only once it is not pending. */
    void untrack(PendingIo op) {
        operations.remove(op.overlapped.address());
    }

    /** {@code op} was issued and its completion will come: the loop does not end before it has been handled. */
    void issued(PendingIo op) {
        op.issued();
        pendingOps++;
    }

    void addSweeper(ConnectSweeper sweeper) {
        sweepers.add(sweeper);
    }

    boolean hasSweeper(ConnectSweeper sweeper) {
        return sweepers.contains(sweeper);
    }

    void removeSweeper(ConnectSweeper sweeper) {
        sweepers.remove(sweeper);
    }

    void channelRegistered(Channel channel) {
        channels.add(channel);
    }

    void channelDeregistered(Channel channel) {
        channels.remove(channel);
    }

    /** Operations issued whose routine has not been handled yet. */
    int pendingOps() {
        return pendingOps;
    }

    // --- the loop ---------------------------------------------------------------------------

    @Override
    protected void run() {
        thread = Thread.currentThread();
        try {
            connectEvent = NativeHandles.opened(K.CreateEvent(null, true, false, null)); // manual reset, shared by all listeners
            if (connectEvent == null) {
                throw Win32.lastError("CreateEvent");
            }
            ioEvent = IoEvent.open(connectEvent);
            waker.open();
        } catch (PipeException e) {
            throw new IllegalStateException("cannot start the pipe event loop", e);
        }
        long shutdownSince = 0;
        for (;;) {
            try {
                int timeout = 0;
                // Starting an operation resets the I/O event: one that ended before that is found
                // by looking, so the loop looks before it sleeps.
                if (!hasTasks() && completions.isEmpty() && afterWait.isEmpty() && !anInFlightOpEnded()) {
                    long deadline = nextScheduledTaskDeadlineNanos();
                    nextWakeupNanos.set(deadline == -1 ? NONE : deadline);
                    if (!hasTasks()) { // re-checked after publishing: a task added meanwhile has woken, or will wake, the wait
                        timeout = deadline == -1 ? Kernel32Ex.INFINITE : WaitTimeout.ceilMillis(deadlineToDelayNanos(deadline));
                    }
                }
                if (isShuttingDown() && (timeout == Kernel32Ex.INFINITE || timeout > SHUTDOWN_POLL_MILLIS)) {
                    timeout = SHUTDOWN_POLL_MILLIS; // cancelled I/O completes through routines; still look again soon
                }
                int woke;
                try {
                    woke = ioEvent.waitAlertably(!inFlight.isEmpty(), timeout); // routines run in the wait, and only enqueue
                } finally {
                    nextWakeupNanos.lazySet(AWAKE);
                }
                // An alertable wait that ran routines says WAIT_IO_COMPLETION even when the event is
                // signalled too: were a busy connection to keep routines coming at every wait, connects
                // would wait for it to go quiet. So look at the event after such waits, but only after
                // CONNECT_CHECK_TURNS of them in a row: each look is a kernel call (under Wine a
                // wineserver request, measured as 2 of the server loop's 12 per unary gRPC call when it
                // looked after every one), and a signalled event is also seen by the next wait.
                if (woke == Kernel32Ex.WAIT_IO_COMPLETION && !sweepers.isEmpty() && ++busyTurns >= CONNECT_CHECK_TURNS) {
                    busyTurns = 0;
                    connectChecks++;
                    if (Kernel32Direct.WaitForSingleObjectEx(connectEvent.getPointer(), 0, false) == Kernel32Ex.WAIT_OBJECT_0) {
                        woke = Kernel32Ex.WAIT_OBJECT_0;
                    }
                }
                if (woke != Kernel32Ex.WAIT_IO_COMPLETION) {
                    busyTurns = 0;
                }
                if (woke == Kernel32Ex.WAIT_OBJECT_0) {
                    // Reset before collecting, so a connect completing during the sweep signals again.
                    K.ResetEvent(connectEvent);
                    for (ConnectSweeper sweeper : new ArrayList<>(sweepers)) {
                        sweeper.sweepConnects();
                    }
                } else if (woke == Kernel32Ex.WAIT_OBJECT_0 + 1) {
                    ioEvent.reset(); // before looking, as for connects
                } else if (woke != Kernel32Ex.WAIT_IO_COMPLETION && woke != Win32Errors.WAIT_TIMEOUT) {
                    throw Win32.lastError(IoEvent.waitName(!inFlight.isEmpty()));
                }
                long ioStart = System.nanoTime();
                collectInFlight();
                processCompletions();
                runWorkAfterWait();
                // Tasks get as long as this turn's I/O took, and at least 64 of them run: Netty
                // 4.1's NIO loop with its default ioRatio of 50 (4.2's bounds them by a time
                // quantum). With no bound, a handler that writes again from each write's listener
                // (past a stack depth Netty runs listeners as tasks) kept the loop in runAllTasks
                // for as long as its writes completed at once, and the other channels waiting.
                runAllTasks(System.nanoTime() - ioStart);
            } catch (Error e) {
                throw e;
            } catch (Throwable t) {
                LOG.log(Level.WARNING, "unexpected failure in the pipe event loop", t);
            } finally {
                if (isShuttingDown()) {
                    closeAll();
                    if (confirmShutdown()) {
                        if (pendingOps == 0 && sweepers.isEmpty()) {
                            break; // no operation pending, no cancelled connect without its outcome
                        }
                        if (shutdownSince == 0) {
                            shutdownSince = System.nanoTime();
                        } else if (System.nanoTime() - shutdownSince > DRAIN_LIMIT_NANOS) {
                            break; // cleanup() says so, and leaks what is still the kernel's
                        }
                    }
                }
            }
        }
    }

    /** A completion routine, inside the alertable wait: record and queue, nothing else. */
    private void completed(int errorCode, int bytes, long overlapped) {
        PendingIo op = operations.get(overlapped);
        if (op == null) {
            LOG.log(Level.ERROR, "completion for an OVERLAPPED pipekit does not own; ignored");
            return;
        }
        op.errorCode = errorCode;
        op.bytesTransferred = bytes;
        completions.add(op);
    }

    /** The work {@link #runAfterWait} was given before this turn: what it gives again waits for the next. */
    private void runWorkAfterWait() {
        for (int n = afterWait.size(); n > 0; n--) {
            try {
                afterWait.poll().run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "work after the wait failed", e);
            }
        }
    }

    private boolean anInFlightOpEnded() {
        for (int i = 0; i < inFlight.size(); i++) { // by index: every turn, and no iterator on the heap
            if (inFlight.get(i).overlapped.completed()) {
                return true;
            }
        }
        return false;
    }

    /** Queues the operations issued without a routine that have ended, with the outcome a routine would have had. */
    private void collectInFlight() {
        for (int i = 0; i < inFlight.size(); ) {
            PendingIo op = inFlight.get(i);
            if (!op.overlapped.completed()) {
                i++;
                continue;
            }
            inFlight.remove(i);
            op.errorCode = ioEvent.errorOf(op.file, op.overlapped);
            op.bytesTransferred = op.overlapped.bytesTransferred();
            op.file = null;
            completions.add(op);
        }
    }

    private void processCompletions() {
        for (PendingIo op; (op = completions.poll()) != null; ) {
            op.done();
            pendingOps--;
            try {
                op.owner.ioCompleted(op, op.errorCode, op.bytesTransferred);
            } catch (RuntimeException | Error e) {
                if (!isOneChannelsFailure(e)) {
                    throw e;
                }
                LOG.log(Level.WARNING, "handling a completion failed", e); // one channel's; the loop serves the others
            }
        }
    }

    /**
     * Whether {@code failure} is one channel's to bear, its channel closing while the loop serves
     * the others: anything but a virtual-machine error other than running out of memory (a
     * buffer Netty's allocator could not give is an {@code OutOfMemoryError}).
     */
    static boolean isOneChannelsFailure(Throwable failure) {
        return !(failure instanceof VirtualMachineError) || failure instanceof OutOfMemoryError;
    }

    /** Closes every pipe channel on this loop: cancels their I/O, which then completes. */
    private void closeAll() {
        for (Channel channel : new ArrayList<>(channels)) {
            channel.unsafe().close(channel.unsafe().voidPromise());
        }
    }

    @Override
    protected void cleanup() {
        // Every operation still pending gets its routine before anything is freed.
        long start = System.nanoTime();
        while ((pendingOps > 0 || !sweepers.isEmpty()) && System.nanoTime() - start < DRAIN_LIMIT_NANOS && connectEvent != null) {
            if (Kernel32Direct.WaitForSingleObjectEx(connectEvent.getPointer(), SHUTDOWN_POLL_MILLIS, true) == Kernel32Ex.WAIT_OBJECT_0) {
                K.ResetEvent(connectEvent);
                for (ConnectSweeper sweeper : new ArrayList<>(sweepers)) {
                    sweeper.sweepConnects();
                }
            }
            collectInFlight(); // their event is not waited on here: the poll finds them
            processCompletions();
            runWorkAfterWait(); // a closed channel's writes fail; nothing new starts
        }
        if (pendingOps > 0 || !sweepers.isEmpty()) {
            LOG.log(Level.ERROR, pendingOps + " pipe operations and the connects of " + sweepers.size()
                    + " server channels never completed; their memory is leaked rather than freed under the kernel");
        }
        waker.close();
        if (connectEvent != null) {
            NativeHandles.close(connectEvent);
            connectEvent = null;
        }
        if (ioEvent != null) {
            ioEvent.close();
            ioEvent = null;
        }
    }

    @Override
    protected void wakeup(boolean inEventLoop) {
        if (!inEventLoop && nextWakeupNanos.getAndSet(AWAKE) != AWAKE) {
            waker.wake();
        }
    }

    @Override
    protected boolean beforeScheduledTaskSubmitted(long deadlineNanos) {
        // Also right for AWAKE (-1): an awake loop needs no wake.
        return deadlineNanos < nextWakeupNanos.get();
    }

    @Override
    protected boolean afterScheduledTaskSubmitted(long deadlineNanos) {
        return deadlineNanos < nextWakeupNanos.get();
    }

    /** The loop's thread, once it has started: for tests that prove everything runs on it. */
    Thread thread() {
        return thread;
    }

    /** Whether the loop waits, or is about to: a wake from another thread then queues an APC. */
    boolean waiting() {
        return nextWakeupNanos.get() != AWAKE;
    }

    /** For tests: how many times the loop looked at the connect event beside its wait. Loop thread only. */
    long connectChecks() {
        return connectChecks;
    }

    /** Whether {@code channel} is registered here. */
    boolean hasChannel(Channel channel) {
        return channels.contains(channel);
    }
}
