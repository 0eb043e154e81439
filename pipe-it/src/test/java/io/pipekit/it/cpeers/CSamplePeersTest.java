package io.pipekit.it.cpeers;

import static io.pipekit.it.cpeers.Win32Pipes.connect;
import static io.pipekit.it.cpeers.Win32Pipes.openClient;
import static io.pipekit.it.cpeers.Win32Pipes.path;
import static io.pipekit.it.cpeers.Win32Pipes.readMessage;
import static io.pipekit.it.cpeers.Win32Pipes.tchar;
import static io.pipekit.it.cpeers.Win32Pipes.untchar;
import static io.pipekit.it.cpeers.Win32Pipes.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinNT.HANDLE;
import com.sun.jna.ptr.IntByReference;
import io.pipekit.it.ChildProcess;
import io.pipekit.testing.WindowsOnly;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The test bed's proof: a message-type pipe made through JNA talks to the C peers in the
 * documented sample's exact wire format (UTF-16LE text with its NUL), in both directions.
 * Reads go through a buffer smaller than the messages, so message mode's ERROR_MORE_DATA
 * continuation is exercised for real as well.
 */
@WindowsOnly
class CSamplePeersTest {
    private static final Kernel32 K = Kernel32.INSTANCE;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int SMALL_READ_BUFFER = 16;
    private static final int PIPE_SERVER_END = 0x1;

    @Test
    void cClientIsAnsweredByAMessagePipeCreatedThroughJna() throws Exception {
        String name = uniquePipeName();
        HANDLE pipe = K.CreateNamedPipe(path(name), Kernel32.PIPE_ACCESS_DUPLEX,
                Kernel32.PIPE_TYPE_MESSAGE | Kernel32.PIPE_READMODE_MESSAGE | Kernel32.PIPE_WAIT,
                1, 4096, 4096, 5000, null);
        assertNotEquals(Kernel32.INVALID_HANDLE_VALUE, pipe, () -> Win32Pipes.failure("CreateNamedPipe").getMessage());
        try (ChildProcess client = ChildProcess.cPeer("sample-client.exe", name, "Hello from the C client")) {
            IntByReference flags = new IntByReference();
            assertTrue(K.GetNamedPipeInfo(pipe, flags, null, null, null), "GetNamedPipeInfo");
            assertEquals(Kernel32.PIPE_TYPE_MESSAGE | PIPE_SERVER_END, flags.getValue(), "a message-type server end");

            byte[] request = assertTimeoutPreemptively(TIMEOUT, () -> {
                connect(pipe);
                return readMessage(pipe, SMALL_READ_BUFFER);
            }, () -> "the C client never sent its request; it printed " + client.output());
            assertEquals("Hello from the C client", untchar(request));

            write(pipe, tchar("Answered by a JNA pipe"));
            assertEquals(0, client.awaitExit(TIMEOUT), () -> "the C client failed: " + client.output());
            assertEquals("reply: Answered by a JNA pipe", client.awaitLine(l -> l.startsWith("reply:"), TIMEOUT));
        } finally {
            K.DisconnectNamedPipe(pipe);
            K.CloseHandle(pipe);
        }
    }

    @Test
    void jnaClientRoundTripsWithTheCSampleServer() throws Exception {
        String name = uniquePipeName();
        try (ChildProcess server = ChildProcess.cPeer("sample-server.exe", name)) {
            server.awaitLine(l -> l.equals("listening on " + path(name)), TIMEOUT);
            HANDLE pipe = openClient(name, (int) TIMEOUT.toMillis());
            try {
                // Two requests on one connection: the server's read -> answer -> write -> read chain
                // keeps going, and each answer comes back as one whole message.
                for (String request : new String[] {"first request", "a second, longer request from JNA"}) {
                    write(pipe, tchar(request));
                    byte[] answer = assertTimeoutPreemptively(TIMEOUT, () -> readMessage(pipe, SMALL_READ_BUFFER));
                    assertEquals("Default answer from server", untchar(answer));
                    server.awaitLine(l -> l.endsWith("] " + request), TIMEOUT);
                }
            } finally {
                K.CloseHandle(pipe);
            }
        }
    }

    private static String uniquePipeName() {
        return "pipekit-it-" + UUID.randomUUID();
    }
}
