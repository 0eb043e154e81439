package io.pipekit.it.wine;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

class TestBedImageTest {
    private static final Path SOURCES = Path.of(System.getProperty("pipekit.testbed.sources"));

    @Test
    @DisabledOnOs(value = OS.WINDOWS, disabledReason = "build-image.sh is a Linux script")
    void tagIsTheOneBuildImageShGivesForTheSameSources() throws Exception {
        Process script = new ProcessBuilder("bash", SOURCES.resolve("wine/build-image.sh").toString(), "--tag")
                .redirectErrorStream(true).start();
        assertTrue(script.waitFor(30, TimeUnit.SECONDS), "build-image.sh --tag did not finish");
        String printed = new String(script.getInputStream().readAllBytes(), UTF_8).strip();

        assertEquals(0, script.exitValue(), printed);
        assertEquals(printed, TestBedImage.tagFor(SOURCES));
    }

    @Test
    void anyChangeToAPeerSourceChangesTheTag(@TempDir Path copy) throws Exception {
        Files.createDirectories(copy.resolve("c"));
        Files.createDirectories(copy.resolve("go"));
        Files.createDirectories(copy.resolve("wine"));
        Files.writeString(copy.resolve("c/peer.c"), "int main(void) { return 0; }\n");
        Files.writeString(copy.resolve("go/main.go"), "package main\n\nfunc main() {}\n");
        Files.writeString(copy.resolve("wine/Dockerfile"), "FROM scratch\n");
        String before = TestBedImage.tagFor(copy);

        Files.writeString(copy.resolve("c/peer.c"), "int main(void) { return 1; }\n");
        String afterC = TestBedImage.tagFor(copy);
        Files.writeString(copy.resolve("go/go.sum"), "golang.org/x/sys v0.49.0 h1:...\n");

        assertTrue(before.startsWith(TestBedImage.REPOSITORY + ":"), before);
        assertNotEquals(before, afterC);
        assertNotEquals(afterC, TestBedImage.tagFor(copy), "the Go peer's sources are the image's too");
    }
}
