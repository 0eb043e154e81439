package io.pipekit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * The leak checks' two tools, shared by the behaviour specs and the chaos suite: counting this
 * process's open descriptors, and waiting for a count to come back to its baseline.
 */
public final class Resources {
    private Resources() {
    }

    /**
     * This process's open descriptors of the kinds a transport makes: sockets, pipes, and the
     * anonymous ones of a selector (epoll, eventfd). Files are left out: the class loader opens a
     * jar the first time it needs a class from it and keeps it open, which a leak check that ran
     * in the same JVM as other tests once took for two leaked descriptors. On Linux, read from
     * {@code /proc/self/fd}; elsewhere ({@code /dev/fd} on macOS) every descriptor is counted.
     */
    public static long openChannelDescriptors() throws IOException {
        Path proc = Path.of("/proc/self/fd");
        if (!Files.isDirectory(proc)) {
            try (Stream<Path> open = Files.list(Path.of("/dev/fd"))) {
                return open.count();
            }
        }
        try (Stream<Path> open = Files.list(proc)) {
            return open.filter(Resources::isChannel).count();
        }
    }

    /**
     * This process's open sockets and pipes: {@link #openChannelDescriptors()} without the
     * selectors' descriptors. For a check that must not count the selectors a client makes
     * lazily, the first time it has to wait in one direction, which may come at any moment of a
     * long-lived connection. Linux only ({@code /proc/self/fd}); elsewhere every descriptor.
     */
    public static long openSocketsAndPipes() throws IOException {
        Path proc = Path.of("/proc/self/fd");
        if (!Files.isDirectory(proc)) {
            return openChannelDescriptors();
        }
        try (Stream<Path> open = Files.list(proc)) {
            return open.filter(descriptor -> isKind(descriptor, "socket:", "pipe:")).count();
        }
    }

    private static boolean isChannel(Path descriptor) {
        return isKind(descriptor, "socket:", "pipe:", "anon_inode:");
    }

    private static boolean isKind(Path descriptor, String... prefixes) {
        try {
            String target = Files.readSymbolicLink(descriptor).toString();
            for (String prefix : prefixes) {
                if (target.startsWith(prefix)) {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            return false; // closed while listed: the list's own directory descriptor, or a race
        }
    }

    /**
     * Asserts that {@code count} comes back to {@code before} within {@code wait}, polling rather
     * than reading once: a thread that has just ended may hold its handle a moment longer. With
     * {@code exact}, the count must equal {@code before} (a count of only what pipekit made: below
     * would be a double free); without, at or below it (a process-wide count, which also falls as
     * something unrelated goes). Returns the last count.
     */
    public static long assertBackTo(Callable<Long> count, long before, boolean exact, Duration wait, String what) throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        long now = count.call();
        while ((exact ? now != before : now > before) && System.nanoTime() - deadline < 0) {
            Thread.sleep(20);
            now = count.call();
        }
        if (exact) {
            assertEquals(before, now, what);
        } else {
            assertTrue(now <= before, what + ": " + now + ", before " + before);
        }
        return now;
    }
}
