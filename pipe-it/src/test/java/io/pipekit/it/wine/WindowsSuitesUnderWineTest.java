package io.pipekit.it.wine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.pipekit.testing.WindowsOnly;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Runs every module's Windows-only tests ({@link WindowsOnly}) inside the Wine test bed on each
 * Windows Java runtime the test bed holds (17, 21 and 25; on 21 the library modules' part, as
 * {@link WineJdkCoverage} says why), and reports each of them here as
 * a test of its own, named with its Wine and JDK, with its failure message, so that a Linux
 * build shows exactly which Windows behaviour passed on which Java and which did not.
 *
 * <p>On Windows this class stands aside: Surefire runs those tests natively there.
 */
@DisabledOnOs(value = OS.WINDOWS, disabledReason = "Windows runs the Windows-only tests natively")
class WindowsSuitesUnderWineTest {
    private static final Duration SUITE_TIMEOUT = Duration.ofMinutes(10);
    private static final int SUITES_AT_ONCE = 2;

    @TestFactory
    // Not the build's per-test default: this one runs the whole suite per JDK, each run bounded by
    // SUITE_TIMEOUT, plus the container's start.
    @Timeout(value = 45, unit = TimeUnit.MINUTES)
    Stream<DynamicNode> everyWindowsOnlyTestPassesUnderWineOnEveryJdk() throws Exception {
        String image = TestBedImage.tagFor(Path.of(property("pipekit.testbed.sources")));
        WindowsTestBedGate.checkAvailable(image);

        // What must run under Wine, found here on the host by the same selection: each JDK's run
        // is held to its part of it, and .ci/test-counts.py reads each part back as that JDK's floor.
        Path suiteDir = Path.of(property("pipekit.windowsSuite.dir"));
        Set<String> census = WindowsSuiteCensus.discover();
        WindowsSuiteCensus.write(census, suiteDir.resolve("census.txt"));
        SuiteCompleteness completeness = SuiteCompleteness.of(census, Path.of(property("pipekit.repo.root")));

        List<DynamicNode> perJdk = new ArrayList<>();
        try (WineTestBed bed = WineTestBed.start(image, suiteDir, Path.of(property("pipekit.testClasses.dir")))) {
            String wine = bed.wineVersion();
            List<String> lines = bed.jdkLines();
            System.out.println("[wine] test bed " + image + " running " + wine + ", JDKs " + lines);
            DeveloperFilter filter = DeveloperFilter.fromSystemProperties();
            Map<String, List<String>> plan = WineJdkCoverage.plan(lines);
            // Two JDKs' suites at a time, one per core: each run spends much of its time waiting (on
            // the Windows JVMs its tests start, on pipes and peers), so two overlap well, and a
            // third would only queue for the CPU. Each run has its own JVM, pipe names and reports.
            // The plan's order starts the whole-suite runs first: the short one fills in after.
            ExecutorService runs = Executors.newFixedThreadPool(SUITES_AT_ONCE);
            try {
                Map<String, Future<JdkRun>> byJdk = new LinkedHashMap<>();
                Map<String, Set<String>> parts = new LinkedHashMap<>();
                List<String> taken = filter.jdks(lines);
                for (Map.Entry<String, List<String>> line : plan.entrySet()) {
                    if (!taken.contains(line.getKey())) {
                        continue;
                    }
                    Set<String> part = WindowsSuiteCensus.discover(line.getValue());
                    parts.put(line.getKey(), part);
                    WindowsSuiteCensus.write(part, suiteDir.resolve("census-jdk" + line.getKey() + ".txt"));
                    String selector = filter.select() == null ? WineJdkCoverage.selector(line.getValue()) : filter.selector();
                    byJdk.put(line.getKey(), runs.submit(() -> runOn(bed, line.getKey(), selector)));
                }
                for (String jdk : lines) {
                    Future<JdkRun> future = byJdk.get(jdk);
                    if (future == null) {
                        continue;
                    }
                    JdkRun done = future.get();
                    System.out.printf("[wine] JDK %s (%s): %d Windows tests ran under %s in %.1f s; the launcher said:%n%s%n",
                            jdk, done.java(), done.run().results().size(), wine, done.seconds(), done.run().output().indent(2));
                    SuiteCompleteness held = filter.select() == null
                            ? completeness.requiring(parts.get(jdk))
                            : null;
                    perJdk.add(asContainer(shortWine(wine), jdk, done.java(), done.run(), held));
                }
            } finally {
                runs.shutdownNow();
            }
        }
        return perJdk.stream();
    }

    /** One JDK's run of the suites: its {@code java -version} line, what ran, and how long it took. */
    private record JdkRun(String java, WineTestBed.SuiteRun run, double seconds) {
    }

    private static JdkRun runOn(WineTestBed bed, String jdk, String selector) throws Exception {
        String java = bed.javaVersion(jdk);
        long started = System.nanoTime();
        WineTestBed.SuiteRun run = bed.runWindowsSuites(jdk, WindowsOnly.TAG, selector, SUITE_TIMEOUT,
                Path.of(property("pipekit.windowsSuite.dir"), "reports", "jdk" + jdk));
        return new JdkRun(java, run, (System.nanoTime() - started) / 1e9);
    }

    private static DynamicContainer asContainer(String wine, String jdk, String java, WineTestBed.SuiteRun run,
            SuiteCompleteness completeness) { // null: no completeness to check (a narrowed run)
        String where = " [Wine " + wine + ", JDK " + jdk + "]";
        DynamicTest launcher = dynamicTest("the Windows suite ran and the launcher exited cleanly" + where, () -> {
            assertFalse(run.results().isEmpty(), () -> "no Windows test ran under Wine on JDK " + jdk + "; the launcher said:\n" + run.output());
            assertEquals(0, run.exitCode(), () -> "the launcher inside Wine exited with " + run.exitCode() + ":\n" + run.output());
        });
        DynamicTest complete = dynamicTest("every Windows-only test ran, and only the listed ones skipped" + where, () -> {
            // A developer's run narrowed to some classes cannot be complete; CI refuses the narrowing.
            Assumptions.assumeTrue(completeness != null, "the suite was narrowed with -D" + DeveloperFilter.SELECT);
            List<String> problems = completeness.problems(run.results());
            assertTrue(problems.isEmpty(), () -> String.join("\n", problems));
        });
        return dynamicContainer("JDK " + jdk + " (" + java + ") under Wine " + wine,
                Stream.concat(Stream.of(launcher, complete), run.results().stream().map(result -> asDynamicTest(result, where))));
    }

    private static DynamicTest asDynamicTest(InnerTestResult result, String where) {
        return dynamicTest(result.displayName() + where, () -> {
            switch (result.status()) {
                case FAILED -> fail(result.message() + "\n" + result.detail());
                case SKIPPED -> Assumptions.abort("skipped under Wine: " + result.message());
                case PASSED -> {
                    // passed inside the test bed
                }
            }
        });
    }

    /** {@code wine-10.0 (Debian 10.0~repack-6)} → {@code 10.0}. */
    static String shortWine(String wineVersion) {
        String first = wineVersion.split("\\s+")[0];
        return first.startsWith("wine-") ? first.substring("wine-".length()) : first;
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        if (value == null) {
            throw new IllegalStateException("system property " + name + " is not set: run this test through Maven (pipe-it's pom sets it)");
        }
        return value;
    }
}
