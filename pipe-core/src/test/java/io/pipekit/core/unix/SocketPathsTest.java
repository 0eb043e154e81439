package io.pipekit.core.unix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.core.PipeException;
import io.pipekit.core.PipeName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

@EnabledOnOs({OS.LINUX, OS.MAC})
class SocketPathsTest {
    private static final String USER = System.getProperty("user.name");

    @Test
    void nameMapsIntoAPrivatePipekitFolderOfTheRuntimeDir(@TempDir Path runtime) throws Exception {
        Path socket = SocketPaths.forName(PipeName.of("mynamedpipe"), Map.of("XDG_RUNTIME_DIR", runtime.toString()), "/unused", USER);

        assertEquals(runtime.resolve("pipekit/mynamedpipe.sock"), socket);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())));
    }

    @Test
    void withoutARuntimeDirTheFolderIsPerUserInTheTempDir(@TempDir Path tmp) throws Exception {
        Path socket = SocketPaths.forName(PipeName.of("\\\\.\\pipe\\mynamedpipe"), Map.of(), tmp.toString(), USER);

        assertEquals(tmp.resolve("pipekit-" + USER + "/mynamedpipe.sock"), socket);
    }

    @Test
    void namesDifferingOnlyInCaseShareOneSocketAsOnWindows(@TempDir Path tmp) throws Exception {
        Path mixed = SocketPaths.forName(PipeName.of("MyNamedPipe"), Map.of(), tmp.toString(), USER);

        assertEquals(SocketPaths.forName(PipeName.of("mynamedpipe"), Map.of(), tmp.toString(), USER), mixed);
        assertEquals("mynamedpipe.sock", mixed.getFileName().toString());
    }

    @Test
    void absoluteSocketPathKeepsItsCase() throws Exception {
        assertEquals(Path.of("/run/App/Ctl.sock"), SocketPaths.forName(PipeName.of("/run/App/Ctl.sock"), Map.of(), "/unused", USER));
    }

    @Test
    void absoluteSocketPathIsUsedAsGiven() throws Exception {
        assertEquals(Path.of("/run/app/ctl.sock"), SocketPaths.forName(PipeName.of("/run/app/ctl.sock"), Map.of(), "/unused", USER));
    }

    @Test
    void relativeNameWithASlashIsRefused(@TempDir Path tmp) {
        PipeException e = assertThrows(PipeException.class,
                () -> SocketPaths.forName(PipeName.of("a/b"), Map.of(), tmp.toString(), USER));
        assertTrue(e.getMessage().contains("absolute socket path"), e.getMessage());
    }

    @Test
    void pathTooLongForTheKernelIsRefused(@TempDir Path tmp) {
        PipeException e = assertThrows(PipeException.class,
                () -> SocketPaths.forName(PipeName.of("x".repeat(120)), Map.of(), tmp.toString(), USER));
        assertTrue(e.getMessage().contains("too long for a Unix socket"), e.getMessage());
    }

    @Test
    void folderOthersMayWriteToIsRefused(@TempDir Path tmp) throws Exception {
        Path folder = Files.createDirectory(tmp.resolve("pipekit-" + USER));
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxrwxrwx"));

        PipeException e = assertThrows(PipeException.class,
                () -> SocketPaths.forName(PipeName.of("squatted"), Map.of(), tmp.toString(), USER));

        assertTrue(e.getMessage().contains("others may write to it"), e.getMessage());
    }
}
