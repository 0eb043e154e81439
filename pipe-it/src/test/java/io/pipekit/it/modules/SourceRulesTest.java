package io.pipekit.it.modules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Rules about the sources themselves, which no single module's tests can see. */
class SourceRulesTest {
    private static final Path ROOT = Path.of(System.getProperty("pipekit.repo.root")).toAbsolutePath().normalize();
    private static final Pattern WIN32_CODE = Pattern.compile("\\bint\\s+(ERROR_[A-Z_]+|WAIT_TIMEOUT)\\s*=");

    @Test
    void win32ErrorCodesAreNamedOnlyInWin32Errors() throws IOException {
        // They were once listed in three places (PipeException, Kernel32Ex, a name table), which
        // could disagree.
        List<String> elsewhere;
        List<Path> sources;
        try (Stream<Path> files = Files.walk(ROOT)) {
            sources = files.filter(p -> {
                String path = p.toString().replace('\\', '/'); // Windows paths too (the GitHub job)
                return path.endsWith(".java") && path.contains("/src/") && !path.contains("/target/");
            }).toList();
        }
        elsewhere = sources.stream()
                .filter(p -> !p.getFileName().toString().equals("Win32Errors.java"))
                .filter(p -> WIN32_CODE.matcher(read(p)).find())
                .map(p -> ROOT.relativize(p).toString())
                .toList();
        assertTrue(sources.size() > 100, "found the sources under " + ROOT);
        assertEquals(List.of(), elsewhere, "Win32 error codes declared outside io.pipekit.core.Win32Errors");
    }

    @Test
    void theShowcaseUsesThePublicApiAlone() throws IOException {
        // The examples are what a user would write: an internal package in them would show an API
        // that no user can reach on the module path.
        Pattern internal = Pattern.compile("(?m)^import (static )?io\\.pipekit\\.(?!core\\.[A-Z]|server\\.[A-Z]|client\\.[A-Z])");
        Path examples = ROOT.resolve("pipe-it/src/test/java/io/pipekit/examples");
        List<String> offenders;
        List<Path> sources;
        try (Stream<Path> files = Files.list(examples)) {
            // Their test may use the test kit (io.pipekit.testing); the examples may not.
            sources = files.filter(p -> p.toString().endsWith(".java") && !p.toString().endsWith("Test.java")).toList();
        }
        offenders = sources.stream()
                .filter(p -> internal.matcher(read(p)).find())
                .map(p -> p.getFileName().toString())
                .toList();
        assertTrue(sources.size() >= 5, "found the examples under " + examples);
        assertEquals(List.of(), offenders, "examples that import beyond io.pipekit.core, .server and .client");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
