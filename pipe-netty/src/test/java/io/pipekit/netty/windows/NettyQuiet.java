package io.pipekit.netty.windows;

import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Waits until Netty's global executor thread has ended. A group's termination is announced
 * through it, and the thread lingers a second after its last task: a test that counts the
 * process's threads afterwards (pipe-server's {@code ServerClaimsSpec}, in the same JVM under
 * Wine) would count it as one of its own.
 */
final class NettyQuiet {
    private NettyQuiet() {
    }

    static void awaitGlobalExecutorIdle() throws InterruptedException {
        try {
            if (!GlobalEventExecutor.INSTANCE.awaitInactivity(30, TimeUnit.SECONDS)) {
                throw new AssertionError("Netty's global executor thread did not end");
            }
        } catch (IllegalStateException neverStarted) {
            // "thread was not started": nothing to wait for
        }
    }
}
