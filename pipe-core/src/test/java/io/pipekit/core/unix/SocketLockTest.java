package io.pipekit.core.unix;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** The lock a Unix server holds on its socket path (issue 24, defect 6). */
@EnabledOnOs({OS.LINUX, OS.MAC})
class SocketLockTest {

    @Test
    void oneHolderAtATimeEvenInOneProcessAndTheFileGoesWithTheLock(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("app.sock");
        assertFalse(SocketLock.isHeld(socket), "no lock file: nobody holds it");

        SocketLock first = SocketLock.tryAcquire(socket);
        assertNotNull(first);
        try {
            assertTrue(SocketLock.isHeld(socket));
            assertNull(SocketLock.tryAcquire(socket), "a second claim of the same path, here in the same JVM");
            assertTrue(SocketLock.isHeld(socket), "the refused claim left the first one's lock in place");
        } finally {
            first.close();
        }

        assertTrue(Files.notExists(SocketLock.fileOf(socket)), "the lock file is removed with the lock");
        assertFalse(SocketLock.isHeld(socket));
        SocketLock again = SocketLock.tryAcquire(socket);
        assertNotNull(again, "free again once released");
        again.close();
    }

    /**
     * {@code close()} frees once: a second close must not delete the lock file, nor release the
     * lock, of whoever holds the path by then (it removed the file by name, and closed the fd
     * number, which may have been reused).
     */
    @Test
    void secondCloseLeavesTheNextHoldersLockAlone(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("app.sock");
        SocketLock first = SocketLock.tryAcquire(socket);
        assertNotNull(first);
        first.close();
        try (SocketLock next = SocketLock.tryAcquire(socket)) {
            assertNotNull(next);

            first.close();

            assertTrue(Files.exists(SocketLock.fileOf(socket)), "a second close removed the next holder's lock file");
            assertTrue(SocketLock.isHeld(socket), "a second close released the next holder's lock");
        }
    }

    /**
     * Review of issue 24's hardening: a client's {@link SocketLock#isHeld} takes a shared lock
     * for a moment; a client descheduled while holding it (a loaded machine) made a starting
     * server give up after 50 ms and report the path already served. A shared lock is only ever
     * a client's: the server waits it out (up to seconds) and takes the path.
     */
    @Test
    void clientsSharedLockHeldLongerThanAMomentDoesNotReadAsALiveServer(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("app.sock");
        Files.createFile(SocketLock.fileOf(socket)); // as a crashed server left it
        int client = LibC.INSTANCE.open(SocketLock.fileOf(socket).toString(), LibC.O_RDONLY);
        ExecutorService starter = Executors.newSingleThreadExecutor();
        try {
            LibC.INSTANCE.flock(client, LibC.LOCK_SH | LibC.LOCK_NB); // what isHeld holds, held long
            Future<SocketLock> start = starter.submit(() -> SocketLock.tryAcquire(socket));

            // Well past the 50 ms a starting server used to allow a client: it must still be waiting.
            assertThrows(TimeoutException.class, () -> start.get(500, TimeUnit.MILLISECONDS),
                    "the server gave up while only a client held the lock");

            LibC.INSTANCE.flock(client, LibC.LOCK_UN);
            try (SocketLock lock = start.get(5, TimeUnit.SECONDS)) {
                assertNotNull(lock, "the server did not take the lock once the client let go");
            }
        } finally {
            LibC.INSTANCE.close(client);
            starter.shutdownNow();
        }
    }

    @Test
    void lockFileLeftByACrashedServerIsTakenOver(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("app.sock");
        Files.createFile(SocketLock.fileOf(socket)); // the kernel dropped the dead holder's lock; the file stayed

        try (SocketLock lock = SocketLock.tryAcquire(socket)) {
            assertNotNull(lock);
        }
    }

    @Test
    void symbolicLinkInPlaceOfTheLockFileIsRefused(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("app.sock");
        Path elsewhere = Files.createFile(dir.resolve("elsewhere"));
        Files.createSymbolicLink(SocketLock.fileOf(socket), elsewhere);

        assertThrows(IOException.class, () -> SocketLock.tryAcquire(socket));
        assertFalse(SocketLock.isHeld(socket));
    }
}
