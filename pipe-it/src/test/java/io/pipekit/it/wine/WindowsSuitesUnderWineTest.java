package io.pipekit.it.wine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.pipekit.testing.WindowsOnly;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Runs every module's Windows-only tests ({@link WindowsOnly}) inside the Wine test bed and
 * reports each of them here as a test of its own, with its failure message, so that a
 * Linux build shows exactly which Windows behaviour passed and which did not.
 *
 * <p>On Windows this class stands aside: Surefire runs those tests natively there.
 */
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "Windows runs the Windows-only tests natively")
class WindowsSuitesUnderWineTest {
    private static final Duration SUITE_TIMEOUT = Duration.ofMinutes(15);

    @TestFactory
    Stream<DynamicTest> everyWindowsOnlyTestPassesUnderWine() throws Exception {
        String image = TestBedImage.tagFor(Path.of(property("pipekit.testbed.sources")));
        WindowsTestBedGate.checkAvailable(image);

        WineTestBed.SuiteRun run;
        long started = System.nanoTime();
        try (WineTestBed bed = WineTestBed.start(image, Path.of(property("pipekit.windowsSuite.dir")),
                Path.of(property("pipekit.testClasses.dir")))) {
            System.out.println("[wine] test bed " + image + " running " + bed.wineVersion());
            run = bed.runWindowsSuites(WindowsOnly.TAG, SUITE_TIMEOUT,
                    Path.of(property("pipekit.windowsSuite.dir"), "reports"));
        }
        System.out.printf("[wine] %d Windows tests ran under Wine in %.1f s; the launcher said:%n%s%n",
                run.results().size(), (System.nanoTime() - started) / 1e9, run.output().indent(2));

        DynamicTest launcher = dynamicTest("the Windows suite ran under Wine and the launcher exited cleanly", () -> {
            assertFalse(run.results().isEmpty(), () -> "no Windows test ran under Wine; the launcher said:\n" + run.output());
            assertEquals(0, run.exitCode(), () -> "the launcher inside Wine exited with " + run.exitCode() + ":\n" + run.output());
        });
        return Stream.concat(Stream.of(launcher), run.results().stream().map(WindowsSuitesUnderWineTest::asDynamicTest));
    }

    private static DynamicTest asDynamicTest(InnerTestResult result) {
        return dynamicTest(result.displayName() + " [Wine]", () -> {
            switch (result.status()) {
                case FAILED -> fail(result.message() + "\n" + result.detail());
                case SKIPPED -> Assumptions.abort("skipped under Wine: " + result.message());
                case PASSED -> {
                    // passed inside the test bed
                }
            }
        });
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        if (value == null) {
            throw new IllegalStateException("system property " + name + " is not set: run this test through Maven (pipe-it's pom sets it)");
        }
        return value;
    }
}
