package io.pipekit.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.core.PeerIdentity.Source;
import io.pipekit.core.windows.Tokens;
import io.pipekit.testing.WindowsOnly;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * {@link PeerIdentity#currentProcess()}: this process as its peers see it, on each OS. The
 * expected user comes from another witness than the code under test: on Unix the owner the kernel
 * gives a file this process creates, on Windows the token read by pipekit's own client side.
 */
class CurrentProcessIdentityTest {

    @Test
    @EnabledOnOs({OS.LINUX, OS.MAC})
    void onUnixItIsTheEffectiveUidAndGidOfTheFilesThisProcessCreates(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path made = Files.createFile(dir.resolve("mine"));
        PeerIdentity me = PeerIdentity.currentProcess();

        assertEquals(OptionalLong.of(((Number) Files.getAttribute(made, "unix:uid")).longValue()), me.uid(), me::describe);
        assertEquals(OptionalLong.of(((Number) Files.getAttribute(made, "unix:gid")).longValue()), me.gid(), me::describe);
        assertEquals(Optional.of(Files.getOwner(made).getName()), me.user(), "the uid's name, not -Duser.name");
        assertEquals(OptionalLong.of(ProcessHandle.current().pid()), me.processId());
        assertEquals(Source.UNIX_CREDENTIALS, me.source());
        assertTrue(me.sid().isEmpty() && me.sessionId().isEmpty() && me.integrityLevel().isEmpty(), me::describe);
    }

    @Test
    @WindowsOnly
    void onWindowsItIsTheProcessTokensUserLevelAndSession() throws Exception {
        PeerIdentity me = PeerIdentity.currentProcess();

        assertEquals(Optional.of(Tokens.currentUserSid()), me.sid(), me::describe);
        assertEquals(Source.TOKEN, me.source());
        assertEquals(OptionalLong.of(ProcessHandle.current().pid()), me.processId());
        assertEquals(Optional.ofNullable(Tokens.currentProcess().integrity()), me.integrityLevel());
        assertTrue(me.sessionId().isPresent() && me.user().isPresent(), me::describe);
        assertTrue(me.uid().isEmpty(), me::describe);
    }
}
