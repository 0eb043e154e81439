package io.pipekit.netty;

import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Netty's leak detector at its paranoid level, made to fail the test class in which a buffer was
 * lost instead of only logging it. Netty reports a leak when the garbage collector has freed a
 * buffer nobody released, at the next buffer it tracks: so after each class this collects and
 * allocates until the detector has had its chance, then fails on whatever it reported.
 *
 * <p>The detector is Netty's, made by a factory that has to be in place before Netty's first buffer
 * class is initialised: the JUnit launcher installs it (as a {@link LauncherSessionListener},
 * before any test class loads), and each class asserts that it is.
 */
public final class FailOnLeaks implements BeforeAllCallback, AfterAllCallback, LauncherSessionListener {
    private static final List<String> LEAKS = new ArrayList<>();
    private static volatile boolean installed;

    /** Puts the recording factory in place, and the paranoid level; idempotent. */
    public static synchronized void install() {
        if (installed) {
            return;
        }
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
                return new Recording<>(resource, samplingInterval);
            }
        });
        installed = true;
    }

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        install();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        install();
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            fail("the leak detector runs at " + ResourceLeakDetector.getLevel() + ", not PARANOID");
        }
        leaksSoFar(); // one class's leaks are its own
    }

    @Override
    public void afterAll(ExtensionContext context) {
        List<String> leaks = leaksSoFar();
        if (!leaks.isEmpty()) {
            fail(leaks.size() + " buffer(s) leaked in " + context.getDisplayName() + ":\n" + String.join("\n", leaks));
        }
    }

    /** Gives the detector its chance (collect, then track new buffers), then takes what it reported. */
    public static List<String> leaksSoFar() {
        return leaksSoFar(3);
    }

    /** {@link #leaksSoFar()} with {@code rounds} rounds of collecting and tracking. */
    static List<String> leaksSoFar(int rounds) {
        for (int round = 0; round < rounds; round++) {
            System.gc();
            System.runFinalization();
            for (int i = 0; i < 64; i++) {
                ByteBuf probe = (i % 2 == 0 ? PooledByteBufAllocator.DEFAULT : UnpooledByteBufAllocator.DEFAULT).directBuffer(16);
                probe.release();
            }
        }
        synchronized (LEAKS) {
            List<String> taken = new ArrayList<>(LEAKS);
            LEAKS.clear();
            return taken;
        }
    }

    /** Netty's detector, recording each report as well as logging it. */
    private static final class Recording<T> extends ResourceLeakDetector<T> {
        @SuppressWarnings("deprecation") // the (Class, int) form: maxActive is ignored by Netty anyway
        Recording(Class<T> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        @Override
        protected boolean needReport() {
            return true; // whatever the logger's level
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            record("LEAK: " + resourceType + records);
            super.reportTracedLeak(resourceType, records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            record("LEAK: " + resourceType + " (untraced)");
            super.reportUntracedLeak(resourceType);
        }

        private static void record(String leak) {
            synchronized (LEAKS) {
                LEAKS.add(leak);
            }
        }
    }
}
