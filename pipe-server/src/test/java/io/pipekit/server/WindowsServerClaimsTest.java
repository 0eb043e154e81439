package io.pipekit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.jna.Native;
import com.sun.jna.platform.win32.Advapi32;
import com.sun.jna.platform.win32.Advapi32Util;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinNT;
import io.pipekit.core.Transport;
import io.pipekit.core.Win32Errors;
import io.pipekit.testing.WindowsOnly;

/** {@link ServerClaimsSpec} on Windows named pipes (natively on Windows, under Wine on Linux). */
@WindowsOnly
class WindowsServerClaimsTest extends ServerClaimsSpec {

    @Override
    Transport transport() {
        return Transport.WINDOWS_NAMED_PIPES;
    }

    /**
     * The connection handler's form of runAsClient: inside it the server thread carries the
     * client's token (its user's SID), and none after it, whether the work returned or threw.
     */
    @Override
    void assertConnectionRunAsClient(Connection connection) throws Exception {
        String client = connection.peer().sid().orElseThrow();
        assertEquals(Win32Errors.ERROR_NO_TOKEN, threadTokenError(), "the server thread impersonates nobody before");

        assertEquals(client, connection.runAsClient(WindowsServerClaimsTest::threadTokenSid), "the thread's token inside runAsClient");
        assertEquals(Win32Errors.ERROR_NO_TOKEN, threadTokenError(), "reverted after runAsClient returned");

        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> connection.runAsClient(() -> {
            assertEquals(client, threadTokenSid());
            throw new IllegalStateException("failed as the client");
        }));
        assertEquals("failed as the client", thrown.getMessage());
        assertEquals(Win32Errors.ERROR_NO_TOKEN, threadTokenError(), "reverted after runAsClient threw");
    }

    /**
     * The client's token is closed with its connection: runAsClient then refuses, without running
     * the work. The connection leaves the list when it closes; its instance, and with it the token,
     * is released once its last completion has run, so this waits for that state.
     */
    @Override
    void assertConnectionRunAsClientAfterItClosed(Connection connection) throws Exception {
        java.util.concurrent.atomic.AtomicInteger ran = new java.util.concurrent.atomic.AtomicInteger();
        io.pipekit.testing.Await.until(TIMEOUT, () -> {
            try {
                connection.runAsClient(ran::incrementAndGet);
                return false; // the token is still there: its instance is not released yet
            } catch (IllegalStateException refused) {
                return true;
            } catch (Exception e) {
                throw new AssertionError("runAsClient after close failed otherwise", e);
            }
        }, () -> "runAsClient still ran " + ran.get() + " times, " + TIMEOUT + " after the connection closed");
        assertEquals(Win32Errors.ERROR_NO_TOKEN, threadTokenError(), "a refused runAsClient leaves the thread as it was");
    }

    /** The SID of the calling thread's own token (an impersonation token), or null without one. */
    private static String threadTokenSid() {
        WinNT.HANDLEByReference token = new WinNT.HANDLEByReference();
        if (!Advapi32.INSTANCE.OpenThreadToken(Kernel32.INSTANCE.GetCurrentThread(), WinNT.TOKEN_QUERY, true, token)) {
            return null;
        }
        try {
            return Advapi32Util.getTokenAccount(token.getValue()).sidString;
        } finally {
            Kernel32.INSTANCE.CloseHandle(token.getValue());
        }
    }

    /** The error opening the calling thread's token: ERROR_NO_TOKEN when it impersonates nobody. */
    private static int threadTokenError() {
        WinNT.HANDLEByReference token = new WinNT.HANDLEByReference();
        if (Advapi32.INSTANCE.OpenThreadToken(Kernel32.INSTANCE.GetCurrentThread(), WinNT.TOKEN_QUERY, true, token)) {
            Kernel32.INSTANCE.CloseHandle(token.getValue());
            return 0;
        }
        return Native.getLastError();
    }
}
