package io.pipekit.it.wine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * A running Windows test bed: a container of the test bed image, kept off the network,
 * holding this build's test class path. {@link #runWindowsSuites} runs every Windows-only
 * test in it with one of its Windows {@code java.exe}s under Wine, through the JUnit console
 * launcher, and brings back the launcher's output and its per-test report.
 *
 * <p>The image's environment says what is where ({@code PIPEKIT_JDKS}, the Java lines it holds,
 * each in {@code /opt/jdk/<line>}; {@code PIPEKIT_JDK_OPTIONS_<line>}, options that line needs
 * under this Wine; {@code PIPEKIT_PEERS}; see its Dockerfile), so nothing here repeats them.
 */
final class WineTestBed implements AutoCloseable {
    private static final String SUITE_DIR = "/pipekit/suite";
    private static final String TEST_CLASSES_DIR = "/pipekit/test-classes";
    private static final String REPORTS_DIR = "/pipekit/reports";
    private static final String REPORT = "TEST-junit-jupiter.xml";

    /** What one run of the inner suites gave. */
    record SuiteRun(int exitCode, String output, List<InnerTestResult> results) {
    }

    private final GenericContainer<?> container;

    private WineTestBed(GenericContainer<?> container) {
        this.container = container;
    }

    /**
     * Starts a test bed from {@code image} with the suite layout that pipe-it's build wrote
     * ({@code windowsSuiteDir}: the class path jars and the console launcher) and pipe-it's own
     * test classes.
     */
    static WineTestBed start(String image, Path windowsSuiteDir, Path testClassesDir) {
        GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(image))
                .withNetworkMode("none")
                .withCommand("sleep", "infinity")
                .withCopyFileToContainer(MountableFile.forHostPath(windowsSuiteDir), SUITE_DIR)
                .withCopyFileToContainer(MountableFile.forHostPath(testClassesDir), TEST_CLASSES_DIR);
        container.start();
        return new WineTestBed(container);
    }

    /** The Java lines (such as {@code 17}) whose Windows runtimes the image holds, in its order. */
    List<String> jdkLines() throws IOException, InterruptedException {
        String lines = container.execInContainer("printenv", "PIPEKIT_JDKS").getStdout().strip();
        if (lines.isEmpty()) {
            throw new IllegalStateException("the test bed image names no JDKs (PIPEKIT_JDKS); rebuild it with build-image.sh");
        }
        return List.of(lines.split("\\s+"));
    }

    /** What {@code java -version} says first for one of the image's Java lines, under Wine. */
    String javaVersion(String jdkLine) throws IOException, InterruptedException {
        ExecResult exec = container.execInContainer("bash", "-c",
                "wine /opt/jdk/" + jdkLine + "/bin/java.exe ${PIPEKIT_JDK_OPTIONS_" + jdkLine + ":-} -version > /tmp/java-version.txt 2>&1;"
                        + " head -1 /tmp/java-version.txt");
        return exec.getStdout().strip();
    }

    /**
     * Runs every test tagged {@code tag} found under {@code io.pipekit} on the class path with the
     * Windows runtime of {@code jdkLine}, gives up after {@code timeout}, and copies the JUnit report
     * to {@code reportDir}.
     */
    SuiteRun runWindowsSuites(String jdkLine, String tag, String selector, Duration timeout, Path reportDir)
            throws IOException, InterruptedException {
        String reports = REPORTS_DIR + "/" + jdkLine;
        String options = "${PIPEKIT_JDK_OPTIONS_" + jdkLine + ":-}";
        String script = String.join(" ",
                "exec timeout " + timeout.toSeconds(),
                "wine /opt/jdk/" + jdkLine + "/bin/java.exe",
                // What this line needs in this container (see the Dockerfile), for this JVM and,
                // through pipekit.childJvmOptions, for the JVMs the tests start.
                options,
                "\"-Dpipekit.childJvmOptions=" + options + "\"",
                // As the docs tell library users: JNA needs native access (JDK 22+ warns without it).
                "--enable-native-access=ALL-UNNAMED",
                "-Dpipekit.cpeers.dir=\"$(winepath -w \"$PIPEKIT_PEERS\")\"",
                "-Dpipekit.jars.dir=\"$(winepath -w " + SUITE_DIR + "/jars)\"",
                // The library jars and the modular example compiled on the host (ModulePathNamedPipeTest).
                "-Dpipekit.modulePath.dir=\"$(winepath -w " + SUITE_DIR + "/module-path)\"",
                "-Dpipekit.modularApp.dir=\"$(winepath -w " + SUITE_DIR + "/modular-app)\"",
                "-cp \"$(winepath -w " + SUITE_DIR + "/classpath)\\\\*;$(winepath -w " + TEST_CLASSES_DIR + ");"
                        + "$(winepath -w " + SUITE_DIR + "/junit-platform-console-standalone.jar)\"",
                "org.junit.platform.console.ConsoleLauncher execute",
                selector,
                "--include-tag=" + tag,
                "--fail-if-no-tests",
                // As Surefire does on the host and on Windows (the root pom): a test that hangs
                // fails alone at its limit, in a thread of its own, and the suite goes on.
                "--config=junit.jupiter.execution.timeout.default=" + testTimeout(),
                "--config=junit.jupiter.execution.timeout.thread.mode.default=SEPARATE_THREAD",
                "--details=tree --details-theme=ascii --disable-ansi-colors --disable-banner",
                "--reports-dir=\"$(winepath -w " + reports + ")\"",
                "2>&1");
        ExecResult exec = container.execInContainer("bash", "-c", script);

        Files.createDirectories(reportDir);
        Path report = reportDir.resolve(REPORT);
        Files.deleteIfExists(report);
        List<InnerTestResult> results;
        try {
            container.copyFileFromContainer(reports + "/" + REPORT, report.toString());
            results = JUnitXmlReport.read(report);
        } catch (RuntimeException e) {
            // No report: the launcher never got as far as running tests. Its output says why.
            results = List.of();
        }
        return new SuiteRun(exec.getExitCode(), exec.getStdout() + exec.getStderr(), results);
    }

    /** Every Windows test's default time limit, as the build sets it (pipekit.test.timeout). */
    static String testTimeout() {
        String timeout = System.getProperty("pipekit.test.timeout");
        if (timeout == null || !timeout.matches("[1-9][0-9]*(ms|s|m|h)")) {
            throw new IllegalStateException("pipekit.test.timeout is " + timeout + ", not a JUnit duration such as 5m:"
                    + " run this test through Maven (pipe-it's pom sets it)");
        }
        return timeout;
    }

    /** The Wine version inside the test bed, for the record. */
    String wineVersion() throws IOException, InterruptedException {
        return container.execInContainer("wine", "--version").getStdout().strip();
    }

    @Override
    public void close() {
        container.stop();
    }
}
