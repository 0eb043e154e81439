package io.pipekit.it.wine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.it.wine.InnerTestResult.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JUnitXmlReportTest {

    @Test
    void eachTestcaseBecomesAResultWithItsOutcomeAndMessage(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("TEST-junit-jupiter.xml");
        Files.writeString(report, """
                <?xml version="1.0" encoding="UTF-8"?>
                <testsuite name="JUnit Jupiter" tests="3">
                  <testcase name="passes()" classname="io.pipekit.a.ATest" time="0.25"/>
                  <testcase name="fails()" classname="io.pipekit.a.ATest" time="1,002.5">
                    <failure message="expected: &lt;1&gt; but was: &lt;2&gt;" type="org.opentest4j.AssertionFailedError">at ATest.fails(ATest.java:9)</failure>
                  </testcase>
                  <testcase name="skips()" classname="io.pipekit.b.BTest" time="0">
                    <skipped message="Wine ignores the flag"/>
                    <system-out>noise</system-out>
                  </testcase>
                </testsuite>
                """);

        List<InnerTestResult> results = JUnitXmlReport.read(report);

        assertEquals(3, results.size());
        assertEquals(new InnerTestResult("io.pipekit.a.ATest", "passes()", Status.PASSED, "", "", 0.25), results.get(0));
        InnerTestResult failed = results.get(1);
        assertEquals(Status.FAILED, failed.status());
        assertEquals("expected: <1> but was: <2>", failed.message());
        assertTrue(failed.detail().contains("AssertionFailedError") && failed.detail().contains("ATest.java:9"), failed.detail());
        assertEquals(1002.5, failed.seconds());
        assertEquals(Status.SKIPPED, results.get(2).status());
        assertEquals("Wine ignores the flag", results.get(2).message());
        assertEquals("BTest.skips()", results.get(2).displayName());
    }
}
