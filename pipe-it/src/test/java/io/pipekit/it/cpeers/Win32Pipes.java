package io.pipekit.it.cpeers;

import static java.nio.charset.StandardCharsets.UTF_16LE;

import com.sun.jna.Native;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinError;
import com.sun.jna.platform.win32.WinNT.HANDLE;
import com.sun.jna.ptr.IntByReference;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * The few blocking named-pipe steps the C-peer proofs need, written directly against
 * {@code jna-platform}'s {@link Kernel32}, so that the test bed is proven independently of
 * pipekit's own pipe code. Each failure names the call and its Win32 error code.
 */
final class Win32Pipes {
    private static final Kernel32 K = Kernel32.INSTANCE;

    private Win32Pipes() {
    }

    /** The sample's wire format for text: UTF-16LE with a terminating NUL (a TCHAR string). */
    static byte[] tchar(String text) {
        return (text + '\0').getBytes(UTF_16LE);
    }

    /** Decodes a TCHAR string, failing unless it ends with the NUL the sample's format requires. */
    static String untchar(byte[] message) {
        String text = new String(message, UTF_16LE);
        if (!text.endsWith("\0")) {
            throw new AssertionError("not a NUL-terminated UTF-16LE string: \"" + text + "\"");
        }
        return text.substring(0, text.length() - 1);
    }

    /** The full path of a pipe, {@code \\.\pipe\name}. */
    static String path(String name) {
        return "\\\\.\\pipe\\" + name;
    }

    /** Throws an error naming the call and the calling thread's last Win32 error. */
    static AssertionError failure(String call) {
        int code = Native.getLastError();
        return new AssertionError(call + " failed with Win32 error " + code);
    }

    /** Waits for a client on a server end; a client that came first counts as connected. */
    static void connect(HANDLE pipe) {
        if (!K.ConnectNamedPipe(pipe, null) && Native.getLastError() != WinError.ERROR_PIPE_CONNECTED) {
            throw failure("ConnectNamedPipe");
        }
    }

    /** Opens the client end of a pipe, waiting while every instance is busy, in message read mode. */
    static HANDLE openClient(String name, int timeoutMillis) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (true) {
            HANDLE h = K.CreateFile(path(name), Kernel32.GENERIC_READ | Kernel32.GENERIC_WRITE, 0, null,
                    Kernel32.OPEN_EXISTING, 0, null);
            if (!Kernel32.INVALID_HANDLE_VALUE.equals(h)) {
                IntByReference mode = new IntByReference(Kernel32.PIPE_READMODE_MESSAGE);
                if (!K.SetNamedPipeHandleState(h, mode, null, null)) {
                    AssertionError e = failure("SetNamedPipeHandleState");
                    K.CloseHandle(h);
                    throw e;
                }
                return h;
            }
            int left = (int) (deadline - System.currentTimeMillis());
            if (Native.getLastError() != WinError.ERROR_PIPE_BUSY || left <= 0 || !K.WaitNamedPipe(path(name), left)) {
                throw failure("CreateFile(" + path(name) + ")");
            }
        }
    }

    /** Writes one whole message. */
    static void write(HANDLE pipe, byte[] message) {
        IntByReference written = new IntByReference();
        if (!K.WriteFile(pipe, message, message.length, written, null)) {
            throw failure("WriteFile");
        }
        if (written.getValue() != message.length) {
            throw new AssertionError("WriteFile wrote " + written.getValue() + " of " + message.length + " bytes");
        }
    }

    /**
     * Reads one whole message through a read buffer of {@code chunk} bytes: a message longer than
     * the buffer arrives in several reads, each but the last failing with ERROR_MORE_DATA.
     */
    static byte[] readMessage(HANDLE pipe, int chunk) {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        byte[] buffer = new byte[chunk];
        IntByReference read = new IntByReference();
        while (true) {
            boolean complete = K.ReadFile(pipe, buffer, buffer.length, read, null);
            if (!complete && Native.getLastError() != WinError.ERROR_MORE_DATA) {
                throw failure("ReadFile");
            }
            message.write(buffer, 0, read.getValue());
            if (complete) {
                return message.toByteArray();
            }
            Arrays.fill(buffer, (byte) 0);
        }
    }
}
