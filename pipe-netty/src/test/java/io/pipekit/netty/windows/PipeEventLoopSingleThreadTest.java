package io.pipekit.netty.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SingleThreadEventLoop;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import io.netty.testsuite.transport.AbstractSingleThreadEventLoopTest;
import io.pipekit.testing.WindowsOnly;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Netty's own specification of a single-threaded event loop, run against {@link PipeEventLoop}:
 * shutdown before and after start, graceful shutdown with no quiet period, registration and
 * deregistration, 5,000 scheduled-and-cancelled tasks.
 *
 * <p>Its channels are Netty's local ones, which register on any single-threaded loop: the test
 * binds its server with {@code bind(0)}, a TCP port, unless the server channel is local, and the
 * loop is what is under test here. The loop does not count registered channels (the test then
 * skips its count checks, as it does for other loops), since local channels register without it.
 * For the same reason it offers no channel iterator: the three iterator tests, which Netty skips
 * by an assumption for such a loop, are replaced here by the specification of what it does
 * instead, so that none is skipped.
 */
@WindowsOnly
class PipeEventLoopSingleThreadTest extends AbstractSingleThreadEventLoopTest {

    private final List<EventLoopGroup> groups = new ArrayList<>();

    /**
     * Netty's tests end with {@code shutdownGracefully()} and do not wait: each group made here is
     * waited for, so that its loop's handles are closed before the next test (a leak check of the
     * same JVM's pipe-server tests) counts its baseline, and leaks of the loop show here.
     */
    @AfterEach
    void terminateEveryGroup() throws InterruptedException {
        for (EventLoopGroup group : groups) {
            assertTrue(group.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(30_000), "a group did not terminate");
        }
        NettyQuiet.awaitGlobalExecutorIdle();
    }

    @Override
    protected EventLoopGroup newEventLoopGroup() {
        EventLoopGroup group = new PipeEventLoopGroup(1);
        groups.add(group);
        return group;
    }

    /**
     * Netty 4.2's suite (the {@code netty42} profile) asks for an auto-scaling group, which is 4.2's
     * {@code MultiThreadIoEventLoopGroup} with an {@code AutoScalingEventExecutorChooserFactory}:
     * pipe-netty's group is a 4.1 {@code MultiThreadEventLoopGroup} of a fixed size. Declared
     * without {@code @Override} so that the class compiles against 4.1, where nothing asks for it.
     */
    protected EventLoopGroup newAutoScalingEventLoopGroup() {
        throw new UnsupportedOperationException("PipeEventLoopGroup does not scale its thread count");
    }

    /**
     * 4.2's tests of an auto-scaling group, taken out here: an overriding method without
     * {@code @Test} is no test for JUnit. On 4.1 they are methods of this class that nothing calls.
     */
    public void testAutoScalingEventLoopGroupCanScaleDownAndBeUsed() {
        // pipe-netty's group does not scale (newAutoScalingEventLoopGroup above)
    }

    /** As above: a suspended executor exists only in an auto-scaling group (4.2.17's second such test). */
    public void testSubmittingTaskWakesUpSuspendedExecutor() {
        // pipe-netty's group does not scale, so none of its loops is ever suspended
    }

    @Test
    @Override
    public void testChannelsIterator() throws Exception {
        assertNoChannelIteration();
    }

    @Test
    @Override
    public void testChannelsIteratorEmpty() throws Exception {
        assertNoChannelIteration();
    }

    @Test
    @Override
    public void testChannelsIteratorRemoveThrows() throws Exception {
        assertNoChannelIteration();
    }

    /** No count (-1, Netty's "not supported") and no iterator, asked on the loop thread as Netty's tests ask. */
    private void assertNoChannelIteration() throws Exception {
        SingleThreadEventLoop loop = (SingleThreadEventLoop) newEventLoopGroup().next();
        loop.register(new LocalChannel()).sync();
        assertEquals(-1, loop.submit(loop::registeredChannels).get(30, TimeUnit.SECONDS));
        Throwable thrown = loop.submit(() -> {
            try {
                loop.registeredChannelsIterator();
                return null;
            } catch (UnsupportedOperationException expected) {
                return expected;
            }
        }).get(30, TimeUnit.SECONDS);
        assertInstanceOf(UnsupportedOperationException.class, thrown);
    }

    @Override
    protected Channel newChannel() {
        return new LocalChannel();
    }

    @Override
    protected Class<? extends ServerChannel> serverChannelClass() {
        return LocalServerChannel.class;
    }
}
