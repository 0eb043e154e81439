package io.pipekit.it.wine;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * make-base-image.sh debootstraps from the host's own Debian mirror when DEBIAN_MIRROR is unset
 * (issue 24): its {@code --mirror <apt dir>} mode prints the mirror it would use, read here from
 * sample apt configurations in both formats.
 */
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "make-base-image.sh is a Linux script")
class BaseImageMirrorTest {
    private static final Path SCRIPT = Path.of(System.getProperty("pipekit.testbed.sources"), "wine", "make-base-image.sh");
    private static final String DEFAULT = "http://deb.debian.org/debian";

    @TempDir
    Path apt;

    @Test
    void aDeb822SourcesFileGivesItsFirstDebianArchive() throws Exception {
        write("sources.list.d/debian.sources", """
                Types: deb
                # http://snapshot.debian.org/archive/debian/20250520T000000Z
                URIs: http://mirror.example.org/debian/
                Suites: bookworm bookworm-updates
                Components: main
                Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

                Types: deb
                URIs: http://mirror.example.org/debian-security
                Suites: bookworm-security
                Components: main
                """);

        assertEquals("http://mirror.example.org/debian", mirror(Map.of()));
    }

    @Test
    void theOneLineFormatWithOptionsAndCommentsIsRead() throws Exception {
        write("sources.list", """
                # deb cdrom:[Debian GNU/Linux 12]/ bookworm main
                deb-src http://src.example.org/debian bookworm main
                deb http://security.debian.org/debian-security bookworm-security main
                deb [ arch=amd64 signed-by=/usr/share/keyrings/debian.gpg ] http://apt-cache.lan:3142/deb.debian.org/debian bookworm main contrib
                deb http://later.example.org/debian bookworm main
                """);

        assertEquals("http://apt-cache.lan:3142/deb.debian.org/debian", mirror(Map.of()));
    }

    @Test
    void sourcesListComesFirstThenSourcesListDInNameOrderSkippingOtherArchives() throws Exception {
        write("sources.list", "deb https://packages.cloud.google.com/apt cloud-sdk-bookworm main\n");
        write("sources.list.d/a-docker.list", "deb [arch=amd64] https://download.docker.com/linux/debian bookworm stable\n");
        write("sources.list.d/b-nodesource.sources", """
                Types: deb
                URIs: https://deb.nodesource.com/node_20.x
                Suites: nodistro
                Components: main
                """);
        write("sources.list.d/c-disabled.sources", """
                Enabled: no
                Types: deb
                URIs: http://disabled.example.org/debian
                Suites: bookworm
                Components: main
                """);
        write("sources.list.d/d-debian.sources", """
                Types: deb-src deb
                URIs: https://mirror.example.net/debian
                Suites: trixie
                Components: main contrib
                """);
        write("sources.list.d/e-later.list", "deb http://later.example.org/debian bookworm main\n");
        write("sources.list.d/f-ignored.list.disabled", "deb http://ignored.example.org/debian bookworm main\n");

        assertEquals("https://mirror.example.net/debian", mirror(Map.of()));
    }

    @Test
    void debianMirrorWinsAndNoDebianArchiveFallsBackToTheDefault() throws Exception {
        write("sources.list", "deb http://mirror.example.org/debian bookworm main\n");
        assertEquals("http://proxy.example.org/debian", mirror(Map.of("DEBIAN_MIRROR", "http://proxy.example.org/debian")));

        write("sources.list", "deb http://archive.ubuntu.com/ubuntu noble main\n");
        assertEquals(DEFAULT, mirror(Map.of()), "an Ubuntu host has no Debian archive");
        Files.delete(apt.resolve("sources.list"));
        assertEquals(DEFAULT, mirror(Map.of()), "no apt configuration at all");
    }

    private void write(String file, String text) throws IOException {
        Files.createDirectories(apt.resolve(file).getParent());
        Files.writeString(apt.resolve(file), text);
    }

    private String mirror(Map<String, String> environment) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("bash", SCRIPT.toString(), "--mirror", apt.toString()).redirectErrorStream(true);
        builder.environment().remove("DEBIAN_MIRROR");
        builder.environment().putAll(environment);
        Process script = builder.start();
        assertTrue(script.waitFor(30, TimeUnit.SECONDS), "make-base-image.sh --mirror did not finish");
        String printed = new String(script.getInputStream().readAllBytes(), UTF_8).strip();
        assertEquals(0, script.exitValue(), printed);
        return printed;
    }
}
