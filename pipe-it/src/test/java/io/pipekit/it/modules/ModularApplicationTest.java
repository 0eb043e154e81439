package io.pipekit.it.modules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * pipekit as a modular application uses it: the library jars on the module path, required by
 * their module names. An application built against them round-trips through server and client
 * (Unix sockets, in a JVM of its own); one that reaches for an internal package does not
 * compile; and each jar's descriptor exports only its API package to everyone. The last two hold
 * on every OS, Windows included; the round trip over a named pipe is ModulePathNamedPipeTest's.
 */
class ModularApplicationTest {
    private static final Path MODULE_PATH = Path.of(System.getProperty("pipekit.modulePath.dir"));
    private static final Path SOURCES = Path.of(System.getProperty("pipekit.modularApp.sources"));

    @Test
    @EnabledOnOs(value = {OS.LINUX, OS.MAC}, disabledReason = "Unix sockets' credentials; on Windows ModulePathNamedPipeTest round-trips")
    void modularApplicationRoundTripsThroughServerAndClientOnTheModulePath(@TempDir Path out) throws Exception {
        Compilation compiled = compile("io.pipekit.example", out);
        assertEquals(0, compiled.exitCode(), compiled.output());

        List<String> withExport = runApplication(out, "--add-exports", "java.base/sun.nio.ch=io.pipekit.core");
        assertEquals("modular hello", withExport.get(0), String.join("\n", withExport));
        assertTrue(withExport.get(1).matches("served by pid \\d+"), "the server's pid is known: " + withExport);
        assertEquals(2, withExport.size(), "no warnings: " + withExport);

        // Without the export, pipekit cannot read the socket's credentials by number: the pid is
        // unknown, said so, and nothing else changes.
        List<String> without = runApplication(out);
        assertEquals(List.of("modular hello", "served by pid unknown"), without);
    }

    /**
     * pipe-netty on the module path: a Netty application that requires only its module serves and
     * calls an echo over a Unix socket, the channels made reflectively by Netty's bootstraps from the
     * classes PipeNetty hands out (their package is opened to Netty alone).
     */
    @Test
    @EnabledOnOs(value = {OS.LINUX, OS.MAC}, disabledReason = "pipe-netty's Unix channels; its Windows channels are stage 2's")
    void aNettyApplicationServesAndCallsOverPipeNettyOnTheModulePath(@TempDir Path out) throws Exception {
        Compilation compiled = compile("io.pipekit.nettyexample", out);
        assertEquals(0, compiled.exitCode(), compiled.output());

        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (Runtime.version().feature() >= 22) {
            command.add("--enable-native-access=com.sun.jna");
        }
        command.addAll(List.of("--module-path", MODULE_PATH + File.pathSeparator + out,
                "-m", "io.pipekit.nettyexample/io.pipekit.nettyexample.EchoOverNetty", "pipekit-netty-modular-" + UUID.randomUUID()));
        Process app = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            assertTrue(app.waitFor(60, TimeUnit.SECONDS), "the application did not finish");
            List<String> lines = new String(app.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            assertEquals(0, app.exitValue(), String.join("\n", lines));
            assertTrue(lines.contains("netty modular hello"), "the echo came back: " + lines);
            assertTrue(lines.contains("served by uid " + io.pipekit.core.unix.PeerCredentials.currentUid()),
                    "the client knows its server: " + lines);
        } finally {
            app.destroyForcibly();
        }
    }

    /** Runs the example on the module path, in a JVM of its own; returns its output lines. */
    private static List<String> runApplication(Path out, String... jvmOptions) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (Runtime.version().feature() >= 22) {
            // JNA loads its native library with System.load, a restricted method: a modular
            // application grants JNA's module native access, or JDK 22 and later warn.
            command.add("--enable-native-access=com.sun.jna");
        }
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("--module-path", MODULE_PATH + File.pathSeparator + out,
                "-m", "io.pipekit.example/io.pipekit.example.RoundTrip", "pipekit-modular-" + UUID.randomUUID()));
        Process app = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            assertTrue(app.waitFor(60, TimeUnit.SECONDS), "the application did not finish");
            List<String> lines = new String(app.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            assertEquals(0, app.exitValue(), String.join("\n", lines));
            if (jvmOptions.length > 0) {
                assertEquals("served by pid " + app.pid(), lines.get(1), "the server is the application's own process");
            }
            return lines;
        } finally {
            app.destroyForcibly();
        }
    }

    @Test
    void anApplicationCannotReachPipekitsInternals(@TempDir Path out) throws Exception {
        Compilation compiled = compile("io.pipekit.intruder", out);

        assertNotEquals(0, compiled.exitCode(), "compiled against an internal package");
        assertTrue(compiled.output().contains("package io.pipekit.core.windows is not visible")
                || compiled.output().contains("does not export io.pipekit.core.windows"), compiled.output());
    }

    @Test
    void eachLibraryJarExportsOnlyItsApiPackageToEveryone() throws Exception {
        for (String module : List.of("pipe-core", "pipe-server", "pipe-client", "pipe-netty")) {
            String descriptor = describe(libraryJar(module));
            List<String> exports = descriptor.lines().filter(line -> line.startsWith("exports ")).toList();
            String api = "exports io.pipekit." + module.substring("pipe-".length());
            assertEquals(List.of(api), exports, module + ":\n" + descriptor);
            // Internal packages go to pipekit's own modules alone (pipe-client's AcceptedSockets to the server
            // and the Netty transport only).
            assertTrue(descriptor.lines().filter(line -> line.startsWith("qualified exports "))
                    .allMatch(line -> line.contains(" to ") && java.util.Set.of("io.pipekit.server", "io.pipekit.client", "io.pipekit.netty")
                            .containsAll(List.of(line.substring(line.indexOf(" to ") + 4).trim().split(" ")))), module + ":\n" + descriptor);
        }
    }

    private record Compilation(int exitCode, String output) {
    }

    /** Compiles one module of the modular-app sources against the library jars on the module path. */
    private static Compilation compile(String module, Path out) throws IOException {
        List<String> args = new ArrayList<>(List.of("-d", out.toString(), "--module-path", MODULE_PATH.toString(), "--class-path", "", "-Xlint:all"));
        try (Stream<Path> files = Files.walk(SOURCES.resolve(module))) {
            files.filter(p -> p.toString().endsWith(".java")).map(Path::toString).forEach(args::add);
        }
        return run("javac", args.toArray(new String[0]));
    }

    private static String describe(Path jar) throws IOException {
        Compilation described = run("jar", "--describe-module", "--file", jar.toString());
        assertEquals(0, described.exitCode(), described.output());
        return described.output();
    }

    private static Path libraryJar(String artifact) throws IOException {
        try (Stream<Path> jars = Files.list(MODULE_PATH)) {
            List<Path> found = jars.filter(p -> p.getFileName().toString().startsWith(artifact + "-")).collect(Collectors.toList());
            assertEquals(1, found.size(), "one " + artifact + " jar in " + MODULE_PATH + ": " + found);
            return found.get(0);
        }
    }

    private static Compilation run(String tool, String... args) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8);
        int exit = ToolProvider.findFirst(tool).orElseThrow().run(print, print, args);
        return new Compilation(exit, output.toString(StandardCharsets.UTF_8));
    }
}
