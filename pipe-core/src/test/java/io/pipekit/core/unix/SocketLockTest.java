package io.pipekit.core.unix;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
        again.close(); // once only: a second close frees nothing twice
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
