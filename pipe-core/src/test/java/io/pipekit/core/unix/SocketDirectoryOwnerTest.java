package io.pipekit.core.unix;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.pipekit.core.PipeException;
import io.pipekit.core.PipeName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * A socket directory owned by another user is refused, even with owner-only permissions: its
 * owner could replace the socket (docs/security.md). Giving a directory away needs root, which CI
 * runs as; elsewhere the test says it was not run.
 */
@EnabledOnOs(OS.LINUX)
class SocketDirectoryOwnerTest {
    private static final String USER = System.getProperty("user.name");

    @Test
    void aRuntimeFolderOwnedByAnotherUserIsRefused(@TempDir Path runtime) throws Exception {
        Path folder = ownedByNobody(runtime.resolve("pipekit"));

        PipeException e = assertThrows(PipeException.class,
                () -> SocketPaths.forName(PipeName.of("squatted"), Map.of("XDG_RUNTIME_DIR", runtime.toString()), "/unused", USER));

        assertTrue(e.getMessage().contains("not a directory owned by uid " + PeerCredentials.currentUid()), e.getMessage());
        assertTrue(e.getMessage().contains(folder.toString()), e.getMessage());
    }

    @Test
    void aTempFolderOwnedByAnotherUserIsRefused(@TempDir Path tmp) throws Exception {
        ownedByNobody(tmp.resolve("pipekit-" + USER));

        PipeException e = assertThrows(PipeException.class,
                () -> SocketPaths.forName(PipeName.of("squatted"), Map.of(), tmp.toString(), USER));

        assertTrue(e.getMessage().contains("not a directory owned by uid " + PeerCredentials.currentUid()), e.getMessage());
    }

    /** An owner-only directory that another user (nobody) made where pipekit would make its own. */
    private static Path ownedByNobody(Path folder) throws Exception {
        assumeTrue(PeerCredentials.currentUid() == 0, "giving a directory to another user needs root (CI runs as root)");
        Files.createDirectory(folder, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        UserPrincipal nobody = folder.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Files.setOwner(folder, nobody);
        return folder;
    }
}
