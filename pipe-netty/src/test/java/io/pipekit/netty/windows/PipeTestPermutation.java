package io.pipekit.netty.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.AdaptiveByteBufAllocator;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.testsuite.transport.TestsuitePermutation;
import io.pipekit.core.windows.NativeAllocations;
import io.pipekit.core.windows.NativeHandles;
import io.pipekit.netty.FailOnLeaks;
import io.pipekit.netty.NettyPipeAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Netty's testsuite on named pipes: one server and one client bootstrap on one
 * {@link PipeEventLoopGroup}, a fresh pipe name per address (there is no "port 0"), and the
 * allocators the Wine run affords (pooled and adaptive). Not {@code SocketTestPermutation}: its
 * static instance opens NIO selectors for nothing.
 *
 * <p>Each test class gets its own group ({@link Lifecycle}): made before the class, shut down
 * after it, and then pipekit's handle and native memory counts must be back where they were, and
 * no buffer may have leaked (paranoid leak detection, {@link FailOnLeaks}).
 */
final class PipeTestPermutation {
    private static PipeEventLoopGroup group;
    private static long handlesBefore;
    private static long allocationsBefore;

    private PipeTestPermutation() {
    }

    static synchronized PipeEventLoopGroup group() {
        if (group == null) {
            throw new IllegalStateException("no group: the test class lacks @ExtendWith(PipeTestPermutation.Lifecycle.class)");
        }
        return group;
    }

    static List<TestsuitePermutation.BootstrapComboFactory<ServerBootstrap, Bootstrap>> socket() {
        return List.of(new TestsuitePermutation.BootstrapComboFactory<>() {
            @Override
            public ServerBootstrap newServerInstance() {
                return new ServerBootstrap().group(group(), group()).channel(NamedPipeServerChannel.class);
            }

            @Override
            public Bootstrap newClientInstance() {
                return new Bootstrap().group(group()).channel(NamedPipeChannel.class);
            }
        });
    }

    static SocketAddress newAddress() {
        return NettyPipeAddress.parse("pipekit-netty-" + UUID.randomUUID());
    }

    static List<ByteBufAllocator> allocators() {
        return List.of(PooledByteBufAllocator.DEFAULT, new AdaptiveByteBufAllocator());
    }

    /** A group per test class, and the class's leak checks once it has ended. */
    static final class Lifecycle implements BeforeAllCallback, AfterAllCallback {
        private static final FailOnLeaks LEAKS = new FailOnLeaks();

        @Override
        public void beforeAll(ExtensionContext context) {
            synchronized (PipeTestPermutation.class) {
                LEAKS.beforeAll(context);
                handlesBefore = NativeHandles.liveCount();
                allocationsBefore = NativeAllocations.liveCount();
                group = new PipeEventLoopGroup(1);
            }
        }

        @Override
        public void afterAll(ExtensionContext context) throws Exception {
            PipeEventLoopGroup ending;
            synchronized (PipeTestPermutation.class) {
                ending = group;
                group = null;
            }
            assertTrue(ending.shutdownGracefully(0, 5, TimeUnit.SECONDS).await(30, TimeUnit.SECONDS), "the group did not terminate");
            NettyQuiet.awaitGlobalExecutorIdle();
            assertEquals(handlesBefore, NativeHandles.liveCount(), "pipekit's handles after the group closed");
            assertEquals(allocationsBefore, NativeAllocations.liveCount(), "pipekit's native blocks after the group closed");
            LEAKS.afterAll(context);
        }
    }
}
