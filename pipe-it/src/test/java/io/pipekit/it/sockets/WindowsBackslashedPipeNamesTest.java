package io.pipekit.it.sockets;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Native;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinError;
import com.sun.jna.platform.win32.WinNT.HANDLE;
import com.sun.jna.ptr.IntByReference;
import io.pipekit.client.PipeSocketFactory;
import io.pipekit.core.PipeType;
import io.pipekit.core.Transport;
import io.pipekit.server.PipeServer;
import io.pipekit.testing.WindowsOnly;
import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Pipe names with backslashes after {@code \\.\pipe\}, as SQL Server's ({@code sql\query},
 * {@code MSSQL$NAME\sql\query}) and LocalDB's ({@code LOCALDB#1A2B3C4D\tsql\query}) are: pipekit
 * serves and reaches them, and the name is the one Windows was given, backslashes and all, proven
 * with a peer that calls {@code CreateFile} and {@code CreateNamedPipe} itself (through
 * jna-platform, none of pipekit's code).
 */
@WindowsOnly
class WindowsBackslashedPipeNamesTest {
    /** Blocking test work runs on threads of its own: the common pool has as few as the machine's cores minus one. */
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    private static final Kernel32 K = Kernel32.INSTANCE;
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private final String first = "pipekit-bs-" + UUID.randomUUID();
    private final String path = "\\\\.\\pipe\\" + first + "\\sql\\query";

    /**
     * A pipekit server on {@code \\.\pipe\X\sql\query}: a client that opens that exact path with
     * CreateFile reaches it, and {@code \\.\pipe\X} alone is no pipe (the backslashes are part of
     * the name, not folders of pipes).
     */
    @Test
    void aPipekitServerIsReachedByTheExactPathWithItsBackslashes() throws Exception {
        try (PipeServer server = PipeServer.builder(path).transport(Transport.WINDOWS_NAMED_PIPES).pipeType(PipeType.BYTE)
                .streamHandler((connection, in, out) -> {
                    out.write(in.readNBytes(4));
                    out.flush();
                    in.read(); // until the client goes
                }).start()) {
            HANDLE client = openExisting(path);
            try {
                write(client, "ping".getBytes(US_ASCII));
                assertEquals("ping", new String(read(client, 4), US_ASCII));
            } finally {
                K.CloseHandle(client);
            }
            HANDLE none = K.CreateFile("\\\\.\\pipe\\" + first, Kernel32.GENERIC_READ | Kernel32.GENERIC_WRITE, 0, null,
                    Kernel32.OPEN_EXISTING, 0, null);
            int error = Native.getLastError();
            if (!Kernel32.INVALID_HANDLE_VALUE.equals(none)) {
                K.CloseHandle(none);
            }
            assertTrue(Kernel32.INVALID_HANDLE_VALUE.equals(none), "\\\\.\\pipe\\" + first + " opened");
            assertEquals(WinError.ERROR_FILE_NOT_FOUND, error);
        }
    }

    /**
     * The other way round, as SQL Server serves: a server that calls CreateNamedPipe with
     * {@code \\.\pipe\X\sql\query} itself, and pipekit's socket reaches it by that path and by
     * Docker's form of it, {@code npipe:////./pipe/X/sql/query}.
     */
    @Test
    void pipekitsSocketReachesAServerThatCreatedTheBackslashedNameItself() throws Exception {
        for (String address : new String[] {path, "npipe:////./pipe/" + first + "/sql/query"}) {
            HANDLE pipe = K.CreateNamedPipe(path, WinBase.PIPE_ACCESS_DUPLEX, WinBase.PIPE_TYPE_BYTE | WinBase.PIPE_READMODE_BYTE
                    | WinBase.PIPE_WAIT, 1, 4096, 4096, 0, null);
            assertFalse(Kernel32.INVALID_HANDLE_VALUE.equals(pipe), () -> "CreateNamedPipe failed: " + Native.getLastError());
            CompletableFuture<String> served = CompletableFuture.supplyAsync(() -> {
                if (!K.ConnectNamedPipe(pipe, null) && Native.getLastError() != WinError.ERROR_PIPE_CONNECTED) {
                    throw new AssertionError("ConnectNamedPipe failed: " + Native.getLastError());
                }
                byte[] request = read(pipe, 4);
                write(pipe, "pong".getBytes(US_ASCII));
                return new String(request, US_ASCII);
            }, threads);
            try (Socket socket = PipeSocketFactory.of(address).withConnectTimeout(PATIENCE).createSocket("localhost", 1433)) {
                socket.getOutputStream().write("ping".getBytes(US_ASCII));
                InputStream in = socket.getInputStream();
                assertEquals("pong", new String(in.readNBytes(4), US_ASCII), address);
                assertEquals("ping", served.get(PATIENCE.toSeconds(), TimeUnit.SECONDS));
            } finally {
                if (!served.isDone()) {
                    K.CloseHandle(openExisting(path)); // ends a ConnectNamedPipe still waiting for its client
                }
                served.handle((value, error) -> null).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
                K.CloseHandle(pipe);
            }
        }
    }

    private static HANDLE openExisting(String path) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (true) {
            HANDLE h = K.CreateFile(path, Kernel32.GENERIC_READ | Kernel32.GENERIC_WRITE, 0, null, Kernel32.OPEN_EXISTING, 0, null);
            if (!Kernel32.INVALID_HANDLE_VALUE.equals(h)) {
                return h;
            }
            int error = Native.getLastError();
            if (error != WinError.ERROR_PIPE_BUSY || System.nanoTime() > deadline) {
                throw new AssertionError("CreateFile(" + path + ") failed: " + error);
            }
            K.WaitNamedPipe(path, 1000);
        }
    }

    private static void write(HANDLE pipe, byte[] bytes) {
        IntByReference written = new IntByReference();
        if (!K.WriteFile(pipe, bytes, bytes.length, written, null) || written.getValue() != bytes.length) {
            throw new AssertionError("WriteFile failed: " + Native.getLastError());
        }
    }

    private static byte[] read(HANDLE pipe, int count) {
        byte[] bytes = new byte[count];
        int filled = 0;
        while (filled < count) {
            byte[] chunk = new byte[count - filled];
            IntByReference got = new IntByReference();
            if (!K.ReadFile(pipe, chunk, chunk.length, got, null) || got.getValue() == 0) {
                throw new AssertionError("ReadFile failed after " + filled + " bytes: " + Native.getLastError());
            }
            System.arraycopy(chunk, 0, bytes, filled, got.getValue());
            filled += got.getValue();
        }
        return Arrays.copyOf(bytes, count);
    }
}
