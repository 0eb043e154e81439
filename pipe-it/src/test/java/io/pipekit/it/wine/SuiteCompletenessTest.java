package io.pipekit.it.wine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SuiteCompletenessTest {
    private static final Set<String> CENSUS = Set.of("PipeTest.echoes", "PipeTest.refusesASquatter", "RulesTest.firstInstance");

    private static InnerTestResult result(String className, String name, InnerTestResult.Status status) {
        return new InnerTestResult(className, name, status, status == InnerTestResult.Status.SKIPPED ? "disabled" : "", "", 0.1);
    }

    @Test
    void aRunOfEveryCensusTestWithoutSkipsIsComplete() {
        SuiteCompleteness completeness = new SuiteCompleteness(CENSUS, Map.of());
        assertEquals(List.of(), completeness.problems(List.of(
                result("io.pipekit.server.PipeTest", "echoes()", InnerTestResult.Status.PASSED),
                result("io.pipekit.server.PipeTest", "refusesASquatter(String)[1]", InnerTestResult.Status.PASSED),
                result("io.pipekit.server.PipeTest", "refusesASquatter(String)[2]", InnerTestResult.Status.FAILED),
                result("io.pipekit.core.RulesTest", "firstInstance()", InnerTestResult.Status.PASSED))));
    }

    @Test
    void aRunInWhichEverythingWasSkippedIsRefused() {
        SuiteCompleteness completeness = new SuiteCompleteness(CENSUS, Map.of());
        List<String> problems = completeness.problems(List.of(
                result("io.pipekit.server.PipeTest", "echoes()", InnerTestResult.Status.SKIPPED),
                result("io.pipekit.server.PipeTest", "refusesASquatter()", InnerTestResult.Status.SKIPPED),
                result("io.pipekit.core.RulesTest", "firstInstance()", InnerTestResult.Status.SKIPPED)));
        assertEquals(3, problems.size(), problems::toString);
        assertTrue(problems.stream().allMatch(problem -> problem.contains("does not list it")), problems::toString);
    }

    @Test
    void aListedSkipIsAllowedAndAnUnlistedOneIsNot() {
        SuiteCompleteness completeness = new SuiteCompleteness(CENSUS, Map.of("RulesTest.firstInstance", "Wine ignores the flag"));
        assertEquals(List.of("PipeTest.refusesASquatter was skipped under Wine (\"disabled\"), and wine-skips.tsv does not list it with a reason"),
                completeness.problems(List.of(
                        result("io.pipekit.server.PipeTest", "echoes()", InnerTestResult.Status.PASSED),
                        result("io.pipekit.server.PipeTest", "refusesASquatter()", InnerTestResult.Status.SKIPPED),
                        result("io.pipekit.core.RulesTest", "firstInstance()", InnerTestResult.Status.SKIPPED))));
    }

    @Test
    void aCensusTestThatNeverRanIsMissing() {
        SuiteCompleteness completeness = new SuiteCompleteness(CENSUS, Map.of());
        assertEquals(List.of("2 of the 3 Windows-only tests never ran under Wine: [PipeTest.refusesASquatter, RulesTest.firstInstance]"),
                completeness.problems(List.of(result("io.pipekit.server.PipeTest", "echoes()", InnerTestResult.Status.PASSED))));
    }

    @Test
    void anEmptyCensusAndAStaleListEntryAreRefused() {
        List<String> empty = new SuiteCompleteness(Set.of(), Map.of()).problems(List.of());
        assertEquals(1, empty.size(), empty::toString);
        assertTrue(empty.get(0).contains("the census found no Windows-only test"), empty::toString);
        assertEquals(List.of("wine-skips.tsv lists GoneTest.method, which is not a Windows-only test (any more): remove it"),
                new SuiteCompleteness(CENSUS, Map.of("GoneTest.method", "was flaky")).problems(List.of(
                        result("io.pipekit.server.PipeTest", "echoes()", InnerTestResult.Status.PASSED),
                        result("io.pipekit.server.PipeTest", "refusesASquatter()", InnerTestResult.Status.PASSED),
                        result("io.pipekit.core.RulesTest", "firstInstance()", InnerTestResult.Status.PASSED))));
    }

    @Test
    void aRunHeldToAPartNeedsOnlyThePartAndStillChecksTheListAgainstTheWholeCensus() {
        SuiteCompleteness part = new SuiteCompleteness(CENSUS, Map.of("PipeTest.refusesASquatter", "Wine ignores the flag"))
                .requiring(Set.of("RulesTest.firstInstance"));
        // The listed skip names a census test outside the part: not stale.
        assertEquals(List.of(), part.problems(List.of(result("io.pipekit.core.RulesTest", "firstInstance()", InnerTestResult.Status.PASSED))));
        assertEquals(List.of("1 of the 1 Windows-only tests never ran under Wine: [RulesTest.firstInstance]"),
                part.problems(List.of(result("io.pipekit.server.PipeTest", "echoes()", InnerTestResult.Status.PASSED))));
        List<String> empty = new SuiteCompleteness(CENSUS, Map.of()).requiring(Set.of()).problems(List.of());
        assertEquals(1, empty.size(), empty::toString);
        assertTrue(empty.get(0).contains("holds no Windows-only test"), empty::toString);
    }

    @Test
    void theCensusFindsTheWindowsOnlyTestsOfEveryModule() {
        Set<String> census = WindowsSuiteCensus.discover();
        // One known Windows-only test from each module that has them: the selection spans the test jars.
        assertTrue(census.stream().anyMatch(t -> t.startsWith("Win32PipeRulesTest.")),
                () -> "pipe-core's Windows tests missing: " + census);
        assertTrue(census.stream().anyMatch(t -> t.startsWith("WindowsPipeServerTest.")), () -> "pipe-server's missing: " + census);
        assertTrue(census.stream().anyMatch(t -> t.startsWith("RunnableJarsTest.")), () -> "pipe-it's missing: " + census);
        assertTrue(census.stream().anyMatch(t -> t.startsWith("PipeEventLoopTest.")), () -> "pipe-netty's missing: " + census);
        // Netty's own testsuite methods, inherited by pipe-netty's Windows-only subclasses, count under the subclass.
        assertTrue(census.contains("PipeEventLoopSingleThreadTest.gracefulShutdownAfterStart"), () -> "inherited Netty tests missing: " + census);
        assertFalse(census.stream().anyMatch(t -> t.startsWith("UnixPipeBehaviourTest.")), () -> "a Unix test was taken: " + census);
    }

    @Test
    void theReviewedListParsesAndEveryEntryHasAReason() {
        SuiteCompleteness.readSkips(Path.of(System.getProperty("pipekit.repo.root"), ".ci", SuiteCompleteness.SKIPS_FILE))
                .forEach((test, reason) -> assertFalse(reason.isBlank(), test));
    }
}
