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

    /** A backslash is an ordinary character of a Unix file name: SQL Server's sql\\query is one socket in the private folder. */
    @Test
    void aNameWithBackslashesIsOneSocketInThePrivateFolder(@TempDir Path tmp) throws Exception {
        Path socket = SocketPaths.forName(PipeName.of("\\\\.\\pipe\\MSSQL$X\\sql\\query"), Map.of(), tmp.toString(), USER);

        assertEquals(tmp.resolve("pipekit-" + USER), socket.getParent());
        assertEquals("mssql$x\\sql\\query.sock", socket.getFileName().toString());
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

    /**
     * Issue 24: a symbolic link where the pipekit folder should be (anyone can make one in a
     * shared temp dir) is refused without being followed: the folder it points to keeps its mode.
     */
    @Test
    void symlinkInPlaceOfTheFolderIsRefusedAndWhatItPointsToLeftAlone(@TempDir Path tmp) throws Exception {
        Path target = Files.createDirectory(tmp.resolve("someone-elses"));
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(tmp.resolve("pipekit-" + USER), target);

        PipeException e = assertThrows(PipeException.class,
                () -> SocketPaths.forName(PipeName.of("linked"), Map.of(), tmp.toString(), USER));

        assertTrue(e.getMessage().contains("is not a directory owned by"), e.getMessage());
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)),
                "the link's target was changed");
    }

    /** Issue 24: the folder's owner is compared by uid: {@code -Duser.name} changes nothing. */
    @Test
    void folderOwnerIsComparedByUidNotByTheUserNameProperty(@TempDir Path tmp) throws Exception {
        String real = System.getProperty("user.name");
        System.setProperty("user.name", "someoneelse");
        try {
            Path socket = SocketPaths.forName(PipeName.of("renamed"), Map.of(), tmp.toString(), "someoneelse");

            assertEquals(tmp.resolve("pipekit-someoneelse/renamed.sock"), socket);
        } finally {
            System.setProperty("user.name", real);
        }
    }

    /** Issue 24: an absolute path's directory is checked too, by the server that binds there. */
    @Test
    void absolutePathInADirectoryOthersMayWriteToIsRefused(@TempDir Path tmp) throws Exception {
        Path open = Files.createDirectory(tmp.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));

        PipeException e = assertThrows(PipeException.class, () -> SocketPaths.checkDirectory(open.resolve("app.sock")));

        assertTrue(e.getMessage().contains("others may write to it"), e.getMessage());
    }

    @Test
    void absolutePathInADirectoryOfAnotherUserIsRefused(@TempDir Path tmp) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(PeerCredentials.currentUid() == 0,
                "only root can give a directory to another user (CI runs as root)");
        Path theirs = Files.createDirectory(tmp.resolve("theirs"));
        Files.setAttribute(theirs, "unix:uid", 65534);

        PipeException e = assertThrows(PipeException.class, () -> SocketPaths.checkDirectory(theirs.resolve("app.sock")));

        assertTrue(e.getMessage().contains("or root; refusing"), e.getMessage());
    }

    @Test
    void absolutePathInAnOwnClosedDirectoryIsAccepted(@TempDir Path tmp) throws Exception {
        SocketPaths.checkDirectory(tmp.resolve("app.sock"));
    }
}
