package io.pipekit.it.cpeers;

import static io.pipekit.it.cpeers.Win32Pipes.openClient;
import static io.pipekit.it.cpeers.Win32Pipes.path;
import static io.pipekit.it.cpeers.Win32Pipes.readMessage;
import static io.pipekit.it.cpeers.Win32Pipes.tchar;
import static io.pipekit.it.cpeers.Win32Pipes.untchar;
import static io.pipekit.it.cpeers.Win32Pipes.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinNT.HANDLE;
import io.pipekit.core.PipeNameInUseException;
import io.pipekit.core.Win32Errors;
import io.pipekit.it.ChildProcess;
import io.pipekit.server.PipeServer;
import io.pipekit.testing.WindowsOnly;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A pipekit server started after another process's server (the C sample server, which creates the
 * name's first instance with its own security) is refused with {@link PipeNameInUseException},
 * and creates no instance of the foreign pipe: every client still lands on the C server
 * (security.md, "Joining someone else's pipe"). On Windows FILE_FLAG_FIRST_PIPE_INSTANCE refuses
 * it; Wine ignores that flag (docs/testbed.md), so under Wine this checks the other defence, the
 * server's count of the pipe's instances before it claims the name.
 */
@WindowsOnly
class ForeignFirstInstanceTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void aServerStartedAfterAForeignFirstInstanceIsRefusedAndTakesNoneOfItsClients() throws Exception {
        assertRefusedAfterTheCServer(255); // PIPE_UNLIMITED_INSTANCES, as the C server has it
    }

    @Test
    void aServerWithAnotherInstanceLimitIsRefusedTheSameWay() throws Exception {
        assertRefusedAfterTheCServer(3); // differs from the foreign pipe's limit: still "access denied" (the name in use), not "busy"
    }

    private static void assertRefusedAfterTheCServer(int maxInstances) throws Exception {
        String name = "pipekit-it-" + UUID.randomUUID();
        try (ChildProcess foreign = ChildProcess.cPeer("sample-server.exe", name)) {
            foreign.awaitLine(l -> l.equals("listening on " + path(name)), TIMEOUT);

            PipeNameInUseException refused = assertThrows(PipeNameInUseException.class,
                    () -> PipeServer.builder(name).maxInstances(maxInstances).listeningInstances(1).handler((client, request) -> request).start().close());
            assertEquals(Win32Errors.ERROR_ACCESS_DENIED, refused.code(), refused.getMessage());

            for (int i = 0; i < 3; i++) {
                HANDLE pipe = openClient(name, (int) TIMEOUT.toMillis());
                try {
                    write(pipe, tchar("request " + i));
                    byte[] answer = assertTimeoutPreemptively(TIMEOUT, () -> readMessage(pipe, 4096));
                    assertEquals("Default answer from server", untchar(answer), "client " + i + " was answered by the C server");
                } finally {
                    Kernel32.INSTANCE.CloseHandle(pipe);
                }
            }
        }
    }
}
