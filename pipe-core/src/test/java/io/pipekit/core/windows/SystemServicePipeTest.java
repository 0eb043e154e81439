package io.pipekit.core.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.sun.jna.Native;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinNT.HANDLE;
import io.pipekit.core.PeerIdentity;
import io.pipekit.core.PeerIdentity.Source;
import io.pipekit.core.ServerTrust;
import io.pipekit.core.Win32Errors;
import io.pipekit.testing.Wine;
import io.pipekit.testing.WindowsOnly;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link ServerTrust#system()} against a real {@code LocalSystem} service's pipe, as Windows
 * serves it: the service control manager's {@code \\.\pipe\ntsvcs} (services.exe), or, should a
 * Windows release drop that endpoint, wininit's {@code InitShutdown} or lsass's {@code lsass}.
 * Opening one and closing it unused is what any RPC client that gives up does.
 *
 * <p>The runner's user decides which of the two views this client gets: an administrator may open
 * the service's process token and sees {@code S-1-5-18}; anyone else sees the pipe's owner. The
 * test checks the view it gets, and builds the other from the same pipe's real owner and session.
 */
@WindowsOnly
class SystemServicePipeTest {
    private static final List<String> SYSTEM_SERVICE_PIPES = List.of("ntsvcs", "InitShutdown", "lsass");
    private static final Kernel32 K = Kernel32.INSTANCE;

    @Test
    void systemTrustsALocalSystemServicesPipeAsEitherKindOfClientSeesIt() throws Exception {
        // Listed in .ci/wine-skips.tsv: under Wine none of these pipes exists (CreateFile: error 2),
        // and every Wine process, its services included, runs as the one Wine user.
        assumeFalse(Wine.isRunning(), "Wine serves no LocalSystem service's pipe");
        HANDLE pipe = openFirst(SYSTEM_SERVICE_PIPES);
        try {
            PeerIdentity seen = PipeServerIdentity.of(pipe);
            String owner = PipeServerIdentity.ownerSid(pipe);
            System.out.println("SystemServicePipeTest: the service's pipe, as this client sees it: " + seen.describe() + " session="
                    + seen.sessionId() + " source=" + seen.source() + " owner=" + owner);

            // This client's own view: whichever it is, it is LocalSystem's, and not this user's.
            assertEquals(OptionalInt.of(0), seen.sessionId(), "a service runs in session 0");
            assertTrue(PipeServerIdentity.trusted(seen, ServerTrust.system()), seen::describe);
            assertTrue(PipeServerIdentity.trusted(seen, ServerTrust.currentUserOrSystem()), seen::describe);
            assertFalse(PipeServerIdentity.trusted(seen, ServerTrust.currentUser()), seen::describe);
            if (seen.source() == Source.TOKEN) {
                assertEquals(Optional.of(Tokens.SYSTEM_SID), seen.sid(), "an administrator's client reads the service's token");
            }

            // A client that may not open the service's token sees the pipe's owner: SYSTEM's default owner.
            assertNotNull(owner, "a service's pipe has an owner");
            assertTrue(Set.of(Tokens.SYSTEM_SID, Tokens.ADMINISTRATORS_SID).contains(owner), owner);
            PeerIdentity byOwner = PipeServerIdentity.identity(seen.processId().getAsLong(), seen.sessionId().getAsInt(), null,
                    () -> owner);
            assertEquals(Source.PIPE_OWNER, byOwner.source());
            assertTrue(PipeServerIdentity.trusted(byOwner, ServerTrust.system()), byOwner::describe);
            assertFalse(PipeServerIdentity.trusted(byOwner, ServerTrust.currentUser()), byOwner::describe);
            assertEquals(owner.equals(Tokens.SYSTEM_SID), PipeServerIdentity.trusted(byOwner, ServerTrust.user(Tokens.SYSTEM_SID)),
                    "user(S-1-5-18) refuses what the issue said it did: a pipe owned by Administrators");
        } finally {
            NativeHandles.close(pipe);
        }
    }

    /** Opens the first of {@code names} that a service serves, as pipekit's client does (identification level). */
    private static HANDLE openFirst(List<String> names) {
        List<String> tried = new ArrayList<>();
        for (String name : names) {
            String path = "\\\\.\\pipe\\" + name;
            int error = Win32Errors.ERROR_PIPE_BUSY;
            for (int attempt = 0; attempt < 20 && error == Win32Errors.ERROR_PIPE_BUSY; attempt++) {
                HANDLE pipe = K.CreateFile(path, Kernel32.GENERIC_READ | Kernel32.GENERIC_WRITE, 0, null, Kernel32.OPEN_EXISTING,
                        Kernel32Ex.SECURITY_SQOS_PRESENT | Kernel32Ex.SECURITY_IDENTIFICATION, null);
                if (!WinBase.INVALID_HANDLE_VALUE.equals(pipe)) {
                    return NativeHandles.opened(pipe);
                }
                error = Native.getLastError();
                if (error == Win32Errors.ERROR_PIPE_BUSY) {
                    K.WaitNamedPipe(path, 1000); // every instance busy: wait for one, a bounded number of times
                }
            }
            tried.add(path + ": Win32 error " + error);
        }
        throw new AssertionError("no LocalSystem service's pipe could be opened: " + tried);
    }
}
