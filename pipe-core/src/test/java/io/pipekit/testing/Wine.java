package io.pipekit.testing;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import java.util.Optional;

/**
 * Tells a Windows test whether it runs under Wine, and which: Wine's ntdll exports
 * {@code wine_get_version}, Windows' does not. Only for tests that pin down a known Wine
 * deviation from Windows (docs/testbed.md lists them), so that the test expects the Windows rule
 * on Windows and notices when a Wine release starts following it.
 */
public final class Wine {
    private Wine() {
    }

    /** Wine's version ({@code 10.0}), or empty on Windows. */
    public static Optional<String> version() {
        try {
            Function getVersion = NativeLibrary.getInstance("ntdll").getFunction("wine_get_version");
            return Optional.of((String) getVersion.invoke(String.class, new Object[0]));
        } catch (UnsatisfiedLinkError notWine) {
            return Optional.empty();
        }
    }

    public static boolean isRunning() {
        return version().isPresent();
    }
}
