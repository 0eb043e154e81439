package io.pipekit.netty.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import io.pipekit.core.windows.NativeAllocations;
import io.pipekit.core.windows.NativeHandles;
import io.pipekit.testing.Await;
import io.pipekit.testing.WindowsOnly;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The loop's own rules, beyond Netty's specification: it blocks in its alertable wait when idle,
 * and only an APC from another thread, or the next scheduled task's deadline, ends that wait.
 * Every test would hang (and fail at its limit) if a wake were lost, since an idle loop with
 * nothing scheduled waits without a timeout.
 */
@WindowsOnly
class PipeEventLoopTest {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    private long handlesBefore;
    private long allocationsBefore;
    private PipeEventLoopGroup group;
    private PipeEventLoop loop;

    @BeforeEach
    void start() throws Exception {
        handlesBefore = NativeHandles.liveCount();
        allocationsBefore = NativeAllocations.liveCount();
        group = new PipeEventLoopGroup(1);
        loop = (PipeEventLoop) group.next();
        loop.submit(() -> { }).sync(); // started: its thread exists and has opened its handles
    }

    @AfterEach
    void stop() throws Exception {
        assertTrue(group.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(LIMIT.toMillis()), "the group did not terminate");
        assertTrue(group.isTerminated());
        assertEquals(handlesBefore, NativeHandles.liveCount(), "the loop's event and thread handles are closed");
        assertEquals(allocationsBefore, NativeAllocations.liveCount(), "the loop freed what it allocated");
        NettyQuiet.awaitGlobalExecutorIdle();
    }

    private void awaitWaiting() throws InterruptedException {
        Await.until(LIMIT, loop::waiting, "the loop to enter its alertable wait");
    }

    @Test
    void aTaskFromAnotherThreadWakesTheLoopFromAWaitWithoutTimeout() throws Exception {
        awaitWaiting(); // nothing scheduled: an INFINITE wait that only an APC ends
        CountDownLatch ran = new CountDownLatch(1);
        loop.execute(ran::countDown);
        assertTrue(ran.await(LIMIT.toMillis(), TimeUnit.MILLISECONDS), "the task never ran: the wake was lost");
    }

    @Test
    void wakesAreNeverLostUnderManyThreadsSubmittingAtOnce() throws Exception {
        int threads = 4;
        int perThread = 2_000;
        AtomicInteger ran = new AtomicInteger();
        List<Thread> submitters = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        for (int t = 0; t < threads; t++) {
            Thread submitter = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    loop.execute(ran::incrementAndGet);
                    if (i % 100 == 0) {
                        Thread.yield(); // let the loop fall asleep between bursts, so wakes race its waits
                    }
                }
            }, "submitter " + t);
            submitter.start();
            submitters.add(submitter);
        }
        go.countDown();
        for (Thread submitter : submitters) {
            submitter.join(LIMIT.toMillis());
        }
        Await.until(LIMIT, () -> ran.get() == threads * perThread, () -> "ran " + ran.get() + " of " + threads * perThread);
        // And the last one is not stuck behind a lost wake either: one more from an idle loop.
        awaitWaiting();
        CountDownLatch last = new CountDownLatch(1);
        loop.execute(last::countDown);
        assertTrue(last.await(LIMIT.toMillis(), TimeUnit.MILLISECONDS));
    }

    @Test
    void aScheduledTaskFiresWhileTheLoopIsBlockedAndNeverBeforeItsDelay() throws Exception {
        long delayNanos = TimeUnit.MILLISECONDS.toNanos(200);
        AtomicReference<Long> firedAt = new AtomicReference<>();
        long scheduledAt = loop.submit(System::nanoTime).sync().getNow();
        ScheduledFuture<?> task = loop.schedule(() -> firedAt.set(System.nanoTime()), delayNanos, TimeUnit.NANOSECONDS);
        // Nothing else happens: the loop waits with the task's timeout and must wake by itself.
        assertTrue(task.await(LIMIT.toMillis()), "the scheduled task never fired");
        assertTrue(firedAt.get() - scheduledAt >= delayNanos, "fired early: the wait's timeout was rounded down");
    }

    @Test
    void aNearerTaskScheduledFromAnotherThreadShortensTheCurrentWait() throws Exception {
        loop.schedule(() -> { }, 1, TimeUnit.HOURS); // the loop now waits an hour
        Await.until(LIMIT, loop::waiting, "the loop to wait for the far task");
        ScheduledFuture<?> near = loop.schedule(() -> { }, 50, TimeUnit.MILLISECONDS);
        assertTrue(near.await(LIMIT.toMillis()), "the nearer task waited behind the far one: the loop was not woken");
    }

    @Test
    void everyTaskAndScheduledTaskRunsOnTheLoopsOneThread() throws Exception {
        Set<Thread> ran = ConcurrentHashMap.newKeySet();
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            futures.add(loop.submit(() -> ran.add(Thread.currentThread())));
            futures.add(loop.schedule(() -> ran.add(Thread.currentThread()), i % 5, TimeUnit.MILLISECONDS));
        }
        for (Future<?> future : futures) {
            assertTrue(future.await(LIMIT.toMillis()));
        }
        assertEquals(1, ran.size(), () -> "ran on " + ran);
        Thread only = ran.iterator().next();
        assertSame(loop.thread(), only);
        assertTrue(only.getName().startsWith("pipekit-netty "), only::getName);
        Set<String> loopThreads = new HashSet<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith("pipekit-netty ")) {
                loopThreads.add(thread.getName());
            }
        }
        assertEquals(Set.of(only.getName()), loopThreads, "a group of one loop runs one thread");
    }

    @Test
    void shutdownGracefullyReturnsWhileTheLoopIsBlocked() throws Exception {
        awaitWaiting();
        EventLoop stopping = loop;
        assertTrue(stopping.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(LIMIT.toMillis()), "the blocked loop never ended");
        assertTrue(stopping.isTerminated());
    }
}
