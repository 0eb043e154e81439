package io.pipekit.netty.windows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Catches Netty's buffer leak reports: with paranoid detection every buffer is tracked, and a
 * buffer collected unreleased is reported when a later buffer is allocated. The detectors come
 * from a factory installed here, whose reports are recorded, so that a leak fails the test class
 * instead of only being logged. The factory must be in place before Netty makes its buffer
 * detector (when {@code AbstractByteBuf} loads); {@link #install()} proves that it is, by leaking
 * one buffer on purpose and requiring the report.
 */
final class LeakWatch {
    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
    private static boolean installed;
    private static volatile boolean selfTestSeen;

    private LeakWatch() {
    }

    static synchronized void install() throws InterruptedException {
        if (installed) {
            return;
        }
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
        installed = true;
        // The watch itself must work: a buffer dropped unreleased has to be reported.
        leakOne();
        for (int round = 0; round < 20 && !selfTestSeen; round++) {
            provokeReports();
        }
        if (!selfTestSeen) {
            throw new AssertionError("Netty's leak detector was made before the recording factory was installed:"
                    + " a buffer leaked on purpose was not reported, so leaks would go unnoticed");
        }
    }

    private static void leakOne() {
        UnpooledByteBufAllocator.DEFAULT.directBuffer(8).writeByte(1); // never released, on purpose
    }

    private static void provokeReports() throws InterruptedException {
        System.gc();
        Thread.sleep(20);
        for (int i = 0; i < 64; i++) {
            ByteBuf a = PooledByteBufAllocator.DEFAULT.directBuffer(16);
            ByteBuf b = UnpooledByteBufAllocator.DEFAULT.heapBuffer(16);
            a.release();
            b.release();
        }
    }

    /** Collects what is unreachable, lets the detectors look (they do on allocation), and fails on any report. */
    static void assertNoLeaks() throws InterruptedException {
        for (int round = 0; round < 3; round++) {
            provokeReports();
        }
        if (!LEAKS.isEmpty()) {
            List<String> found = List.copyOf(LEAKS);
            LEAKS.clear();
            throw new AssertionError(found.size() + " leaks reported by Netty's paranoid detector; the first:\n" + found.get(0));
        }
    }

    private static final class RecordingFactory extends ResourceLeakDetectorFactory {
        @Override
        @SuppressWarnings("deprecation")
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
            return newResourceLeakDetector(resource, samplingInterval);
        }

        @Override
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval) {
            return new ResourceLeakDetector<>(resource, samplingInterval) {
                @Override
                protected void reportTracedLeak(String resourceType, String records) {
                    if (records.contains("LeakWatch.leakOne") && !selfTestSeen) {
                        selfTestSeen = true; // the leak made on purpose: proves the watch, counts as none
                        return;
                    }
                    LEAKS.add("LEAK " + resourceType + ":" + records);
                    super.reportTracedLeak(resourceType, records);
                }

                @Override
                protected void reportUntracedLeak(String resourceType) {
                    LEAKS.add("LEAK " + resourceType + " (untraced)");
                    super.reportUntracedLeak(resourceType);
                }
            };
        }
    }
}
