package io.pipekit.it.wine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WineJdkCoverageTest {
    @Test
    void theOldestAndNewestLinesRunEverythingAndStartFirst() {
        Map<String, List<String>> plan = WineJdkCoverage.plan(List.of("17", "21", "25"));
        assertEquals(List.of("17", "25", "21"), List.copyOf(plan.keySet()));
        assertEquals(WineJdkCoverage.EVERYTHING, plan.get("17"));
        assertEquals(WineJdkCoverage.EVERYTHING, plan.get("25"));
        assertEquals(WineJdkCoverage.LIBRARY_PACKAGES, plan.get("21"));
    }

    @Test
    void everyLineBetweenRunsTheLibraryPartAndOneOrTwoLinesRunEverything() {
        Map<String, List<String>> four = WineJdkCoverage.plan(List.of("17", "21", "23", "25"));
        assertEquals(List.of("17", "25", "21", "23"), List.copyOf(four.keySet()));
        assertEquals(WineJdkCoverage.LIBRARY_PACKAGES, four.get("23"));
        assertEquals(Map.of("17", WineJdkCoverage.EVERYTHING, "25", WineJdkCoverage.EVERYTHING),
                WineJdkCoverage.plan(List.of("17", "25")));
        assertEquals(Map.of("17", WineJdkCoverage.EVERYTHING), WineJdkCoverage.plan(List.of("17")));
        assertThrows(IllegalArgumentException.class, () -> WineJdkCoverage.plan(List.of()));
    }

    @Test
    void theLibraryPartHoldsTheLibraryModulesWindowsTestsAndNoEndToEndOnes() {
        Set<String> census = WindowsSuiteCensus.discover();
        Set<String> library = WindowsSuiteCensus.discover(WineJdkCoverage.LIBRARY_PACKAGES);
        assertTrue(census.containsAll(library), "the part is a part of the census");
        assertTrue(library.stream().anyMatch(t -> t.startsWith("Win32PipeRulesTest.")), () -> "pipe-core's missing: " + library);
        assertTrue(library.stream().anyMatch(t -> t.startsWith("WindowsPipeServerTest.")), () -> "pipe-server's missing: " + library);
        assertTrue(library.stream().anyMatch(t -> t.startsWith("PipeClientConnectTest.")), () -> "pipe-client's missing: " + library);
        assertFalse(library.stream().anyMatch(t -> t.startsWith("RunnableJarsTest.") || t.startsWith("PipeEventLoopTest.")),
                () -> "an end-to-end or Netty test was taken: " + library);
    }

    @Test
    void theSelectorNamesEachPackage() {
        assertEquals("--select-package=io.pipekit.core --select-package=io.pipekit.server",
                WineJdkCoverage.selector(List.of("io.pipekit.core", "io.pipekit.server")));
    }
}
