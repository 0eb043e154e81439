package io.pipekit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.ptr.IntByReference;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
    private static final Path PROC_FD = Path.of("/proc/self/fd");
    private static final short AF_UNIX = 1;

    private Resources() {
    }

    /** getsockname and getpeername, to tell a Unix domain socket's path. */
    interface SocketNames extends Library {
        SocketNames C = Native.load("c", SocketNames.class);

        int getsockname(int fd, byte[] address, IntByReference length);

        int getpeername(int fd, byte[] address, IntByReference length);
    }

    /**
     * Whether {@link #pipekitSockets()} and {@link #pipekitSocketsAndSelectors()} count exactly
     * what pipekit's transport holds: on Linux, where {@code /proc/self/fd} tells each
     * descriptor's kind and what a selector watches. Elsewhere they count every channel descriptor.
     */
    public static boolean countsPipekitDescriptorsExactly() {
        return Files.isDirectory(PROC_FD);
    }

    /**
     * The Unix domain sockets with a path at either end: a server's listening socket and the
     * sockets it accepted (bound to the path), and clients' sockets (connected to it). Nothing
     * else in a test JVM makes such a socket, so an unrelated descriptor, opened or closed, does
     * not move this count: it must come back exactly, as the Windows side's counts of pipekit's
     * own handles do. Linux only; elsewhere {@link #openSocketsAndPipes()}.
     */
    public static long pipekitSockets() throws IOException {
        if (!countsPipekitDescriptorsExactly()) {
            return openSocketsAndPipes();
        }
        return socketsWithAPath(descriptors()).size();
    }

    /**
     * {@link #pipekitSockets()} and the process's selectors (its epoll descriptors). In a test JVM
     * only pipekit makes selectors: a server's loop and a client's wait selectors. They are not
     * told apart by what they watch, which would race: a selector registers a channel with epoll
     * only at its next select, so a server that has just started watches nothing yet. Linux only;
     * elsewhere {@link #openChannelDescriptors()}.
     */
    public static long pipekitSocketsAndSelectors() throws IOException {
        if (!countsPipekitDescriptorsExactly()) {
            return openChannelDescriptors();
        }
        java.util.Map<Integer, String> open = descriptors();
        long selectors = open.values().stream().filter(what -> what.equals("anon_inode:[eventpoll]")).count();
        return socketsWithAPath(open).size() + selectors;
    }

    /** This process's descriptors and what each one is ({@code socket:[123]}, {@code anon_inode:[eventpoll]}, a path). */
    private static java.util.Map<Integer, String> descriptors() throws IOException {
        java.util.Map<Integer, String> open = new java.util.TreeMap<>();
        try (Stream<Path> list = Files.list(PROC_FD)) {
            list.forEach(descriptor -> {
                try {
                    open.put(Integer.parseInt(descriptor.getFileName().toString()), Files.readSymbolicLink(descriptor).toString());
                } catch (IOException closedWhileListed) {
                    // the list's own directory descriptor, or one closed meanwhile
                }
            });
        }
        return open;
    }

    private static java.util.Set<Integer> socketsWithAPath(java.util.Map<Integer, String> open) {
        java.util.Set<Integer> sockets = new java.util.TreeSet<>();
        open.forEach((fd, what) -> {
            if (what.startsWith("socket:") && (hasUnixPath(fd, true) || hasUnixPath(fd, false))) {
                sockets.add(fd);
            }
        });
        return sockets;
    }

    /** Whether the socket's own ({@code local}) or peer's address is a Unix domain socket path (not unnamed, not abstract). */
    private static boolean hasUnixPath(int fd, boolean local) {
        byte[] address = new byte[128]; // struct sockaddr_un: a 2-byte family and a 108-byte path
        IntByReference length = new IntByReference(address.length);
        int result = local ? SocketNames.C.getsockname(fd, address, length) : SocketNames.C.getpeername(fd, address, length);
        short family = ByteBuffer.wrap(address, 0, 2).order(ByteOrder.nativeOrder()).getShort();
        return result == 0 && family == AF_UNIX && length.getValue() > 2 && address[2] != 0;
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
