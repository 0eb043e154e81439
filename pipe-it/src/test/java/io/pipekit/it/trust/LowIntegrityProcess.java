package io.pipekit.it.trust;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.Advapi32;
import com.sun.jna.platform.win32.Advapi32Util;
import com.sun.jna.platform.win32.Kernel32;
import com.sun.jna.platform.win32.WinBase;
import com.sun.jna.platform.win32.WinNT;
import com.sun.jna.platform.win32.WinNT.HANDLE;
import com.sun.jna.win32.StdCallLibrary;
import com.sun.jna.win32.W32APIOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * A Java main of this class path run in a process of its own at {@code LOW} integrity, as a
 * sandboxed process of this user would run: this process's token duplicated, its integrity level
 * set with {@code SetTokenInformation(TokenIntegrityLevel)}, and the process started with
 * {@code CreateProcessAsUser} (what Microsoft's "Designing Applications to Run at a Low
 * Integrity Level" does). Its output goes to a file, never through a pipe (see docs/testbed.md).
 * {@link #close()} terminates it through its own handle and waits until it is gone.
 */
final class LowIntegrityProcess implements AutoCloseable {
    private static final String LOW_INTEGRITY_SID = "S-1-16-4096";
    private static final int SE_GROUP_INTEGRITY = 0x20;
    private static final int TOKEN_INTEGRITY_LEVEL = 25; // TOKEN_INFORMATION_CLASS.TokenIntegrityLevel
    private static final int CREATE_NO_WINDOW = 0x08000000;
    private static final int LABEL_SIZE = 2 * Native.POINTER_SIZE; // a pointer and a DWORD, padded
    private static final Kernel32 K = Kernel32.INSTANCE;
    private static final Advapi32 A = Advapi32.INSTANCE;

    /** {@code SetTokenInformation}, which jna-platform does not bind. */
    private interface TokenInformation extends StdCallLibrary {
        TokenInformation INSTANCE = Native.load("advapi32", TokenInformation.class, W32APIOptions.DEFAULT_OPTIONS);

        boolean SetTokenInformation(HANDLE token, int informationClass, Pointer information, int length);
    }

    private final WinBase.PROCESS_INFORMATION process;
    private final Path output;

    private LowIntegrityProcess(WinBase.PROCESS_INFORMATION process, Path output) {
        this.process = process;
        this.output = output;
    }

    /** Starts {@code mainClass} at LOW integrity with {@code args}. */
    static LowIntegrityProcess javaMain(Class<?> mainClass, String... args) throws IOException {
        Path dir = Files.createTempDirectory("pipekit-low");
        Path output = dir.resolve("output.txt");
        // JNA unpacks its native library into a temporary folder, which a LOW process may not
        // write to: hand it the library, unpacked here, and keep it from unpacking.
        try (InputStream dll = Native.class.getResourceAsStream("/com/sun/jna/win32-x86-64/jnidispatch.dll")) {
            Files.copy(dll, dir.resolve("jnidispatch.dll"), StandardCopyOption.REPLACE_EXISTING);
        }
        StringBuilder command = new StringBuilder(quote(Path.of(System.getProperty("java.home"), "bin", "java.exe").toString()));
        String environmentOptions = System.getProperty("pipekit.childJvmOptions", "").strip();
        if (!environmentOptions.isEmpty()) {
            command.append(' ').append(environmentOptions);
        }
        command.append(" -XX:-UsePerfData -Djna.nounpack=true -Djna.boot.library.path=").append(quote(dir.toString()));
        Path localLow = Path.of(System.getProperty("user.home"), "AppData", "LocalLow");
        if (Files.isDirectory(localLow)) {
            command.append(" -Djava.io.tmpdir=").append(quote(localLow.toString())); // a folder LOW may write to
        }
        command.append(" -cp ").append(quote(System.getProperty("java.class.path"))).append(' ').append(mainClass.getName());
        for (String arg : args) {
            command.append(' ').append(quote(arg));
        }
        return start(command.toString(), output);
    }

    private static LowIntegrityProcess start(String commandLine, Path output) {
        HANDLE token = lowIntegrityPrimaryToken();
        WinBase.SECURITY_ATTRIBUTES inheritable = new WinBase.SECURITY_ATTRIBUTES();
        inheritable.bInheritHandle = true;
        HANDLE out = K.CreateFile(output.toString(), WinNT.GENERIC_WRITE, WinNT.FILE_SHARE_READ | WinNT.FILE_SHARE_WRITE,
                inheritable, WinNT.CREATE_ALWAYS, WinNT.FILE_ATTRIBUTE_NORMAL, null);
        if (WinBase.INVALID_HANDLE_VALUE.equals(out)) {
            RuntimeException failure = failure("CreateFile " + output);
            K.CloseHandle(token);
            throw failure;
        }
        try {
            WinBase.STARTUPINFO startup = new WinBase.STARTUPINFO();
            startup.dwFlags = WinBase.STARTF_USESTDHANDLES;
            startup.hStdOutput = out;
            startup.hStdError = out;
            WinBase.PROCESS_INFORMATION process = new WinBase.PROCESS_INFORMATION();
            if (!A.CreateProcessAsUser(token, null, commandLine, null, null, true, CREATE_NO_WINDOW, null, null, startup, process)) {
                throw failure("CreateProcessAsUser " + commandLine);
            }
            K.CloseHandle(process.hThread);
            return new LowIntegrityProcess(process, output);
        } finally {
            K.CloseHandle(out);
            K.CloseHandle(token);
        }
    }

    /** This process's token, duplicated as a primary token and lowered to LOW integrity. */
    private static HANDLE lowIntegrityPrimaryToken() {
        WinNT.HANDLEByReference own = new WinNT.HANDLEByReference();
        if (!A.OpenProcessToken(K.GetCurrentProcess(),
                WinNT.TOKEN_DUPLICATE | WinNT.TOKEN_QUERY | WinNT.TOKEN_ADJUST_DEFAULT | WinNT.TOKEN_ASSIGN_PRIMARY, own)) {
            throw failure("OpenProcessToken");
        }
        WinNT.HANDLEByReference low = new WinNT.HANDLEByReference();
        try {
            if (!A.DuplicateTokenEx(own.getValue(), 0, null, WinNT.SECURITY_IMPERSONATION_LEVEL.SecurityImpersonation,
                    WinNT.TOKEN_TYPE.TokenPrimary, low)) { // 0: the same access as the token duplicated
                throw failure("DuplicateTokenEx");
            }
        } finally {
            K.CloseHandle(own.getValue());
        }
        // TOKEN_MANDATORY_LABEL { SID_AND_ATTRIBUTES { PSID Sid; DWORD Attributes } }, the SID right after it.
        byte[] sid = Advapi32Util.convertStringSidToSid(LOW_INTEGRITY_SID);
        Memory label = new Memory(LABEL_SIZE + sid.length);
        label.setPointer(0, label.share(LABEL_SIZE));
        label.setLong(Native.POINTER_SIZE, 0);
        label.setInt(Native.POINTER_SIZE, SE_GROUP_INTEGRITY);
        label.write(LABEL_SIZE, sid, 0, sid.length);
        if (!TokenInformation.INSTANCE.SetTokenInformation(low.getValue(), TOKEN_INTEGRITY_LEVEL, label, (int) label.size())) {
            RuntimeException failure = failure("SetTokenInformation(TokenIntegrityLevel)");
            K.CloseHandle(low.getValue());
            throw failure;
        }
        return low.getValue();
    }

    /** Waits until the process has printed a line that matches, and returns it. */
    String awaitLine(Predicate<String> wanted, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> lines = output();
            for (String line : lines) {
                if (wanted.test(line)) {
                    return line;
                }
            }
            if (System.nanoTime() > deadline || exited()) {
                throw new AssertionError("the LOW integrity process printed no such line within " + timeout
                        + (exited() ? " (it exited)" : "") + "; it printed: " + output());
            }
            Thread.sleep(50); // polling a file: its writer gives no other signal
        }
    }

    /** Everything the process has printed so far. */
    List<String> output() throws IOException {
        return Files.readAllLines(output, UTF_8);
    }

    private boolean exited() {
        return K.WaitForSingleObject(process.hProcess, 0) == WinBase.WAIT_OBJECT_0;
    }

    @Override
    public void close() throws IOException {
        K.TerminateProcess(process.hProcess, 1);
        K.WaitForSingleObject(process.hProcess, WinBase.INFINITE);
        K.CloseHandle(process.hProcess);
        Path dir = output.getParent();
        Files.deleteIfExists(output);
        Files.deleteIfExists(dir.resolve("jnidispatch.dll"));
        Files.deleteIfExists(dir);
    }

    private static RuntimeException failure(String call) {
        return new IllegalStateException(call + " failed with Win32 error " + Native.getLastError());
    }

    private static String quote(String argument) {
        return "\"" + argument.replace("\"", "\\\"") + "\"";
    }
}
