package io.pipekit.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PipeException's javadoc promises that a pattern {@code switch} naming every subtype needs no
 * {@code default} (issue 25: the base class itself was thrown, so no such switch was ever
 * exhaustive). pipekit compiles for Java 17, where that switch is a preview feature, so the switch
 * is compiled here by the running JDK's javac against pipekit's classes: as the preview on 17,
 * as the standard language from 21 on. The list of kinds below is written out by hand on purpose:
 * a new subtype makes the switch incomplete and this test fail until the list, the javadoc and the
 * docs' lists of kinds name it too.
 */
class PipeExceptionSwitchTest {
    /** Every kind a caller branches on, as PipeException's javadoc lists them. */
    private static final List<String> KINDS = List.of(
            "NoSuchPipeException", "PipeBusyException", "PipeTimeoutException", "PeerClosedException",
            "PipeClosedException", "PipeInterruptedException", "PipeAccessDeniedException", "PipeNameInUseException",
            "UntrustedServerException", "MessageTooLargeException", "InvalidMessageException", "SendQueueFullException",
            "PipeIoException");

    @TempDir
    Path dir;

    @Test
    void aSwitchNamingEveryKindCompilesWithoutADefault() throws Exception {
        Compilation result = compileSwitchOver(KINDS);

        assertEquals(0, result.exit, result.output);
    }

    /** The check has teeth: leave out one kind and javac refuses the switch. */
    @Test
    void aSwitchMissingOneKindDoesNotCompile() throws Exception {
        List<String> allButOne = new ArrayList<>(KINDS);
        allButOne.remove("PipeIoException");

        Compilation result = compileSwitchOver(allButOne);

        assertNotEquals(0, result.exit, result.output);
        assertTrue(result.output.contains("does not cover all possible input values"), result.output);
    }

    @Test
    void theHandWrittenListIsEveryPermittedSubtype() {
        List<String> permitted = java.util.Arrays.stream(PipeException.class.getPermittedSubclasses())
                .map(Class::getSimpleName).sorted().collect(Collectors.toList());

        assertEquals(permitted, KINDS.stream().sorted().collect(Collectors.toList()));
    }

    private record Compilation(int exit, String output) {
    }

    private Compilation compileSwitchOver(List<String> kinds) throws IOException, URISyntaxException {
        StringBuilder source = new StringBuilder("import io.pipekit.core.*;\n\nclass Branches {\n")
                .append("    static String kind(PipeException e) {\n        return switch (e) {\n");
        for (String kind : kinds) {
            source.append("            case ").append(kind).append(" x -> \"").append(kind).append("\";\n");
        }
        source.append("        };\n    }\n}\n");
        Path file = dir.resolve("Branches.java");
        Files.writeString(file, source);
        Path classes = Path.of(PipeException.class.getProtectionDomain().getCodeSource().getLocation().toURI());

        List<String> args = new ArrayList<>();
        if (Runtime.version().feature() >= 21) {
            args.addAll(List.of("--release", "21"));
        } else {
            // Java 17: patterns in switch are its preview (JEP 406), with the same exhaustiveness rule.
            args.addAll(List.of("--release", String.valueOf(Runtime.version().feature()), "--enable-preview", "-Xlint:-preview"));
        }
        args.addAll(List.of("-classpath", classes.toString(), "-d", dir.resolve("out").toString(), file.toString()));

        ToolProvider javac = ToolProvider.findFirst("javac")
                .orElseThrow(() -> new AssertionError("this test needs a JDK's javac"));
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            int exit = javac.run(print, print, args.toArray(String[]::new));
            return new Compilation(exit, output.toString(StandardCharsets.UTF_8) + "\n" + source);
        }
    }
}
