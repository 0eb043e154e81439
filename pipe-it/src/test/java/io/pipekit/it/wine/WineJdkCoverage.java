package io.pipekit.it.wine;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which Windows-only tests each of the test bed's Java runtimes runs under Wine.
 *
 * <p>The oldest line (the baseline pipekit compiles for) and the newest run every Windows-only
 * test. A line between them runs the library modules' own Windows tests (the JNA bindings, the
 * completion-routine loop, the client): they are where a JDK's difference would show, in how JNA,
 * direct buffers and threads behave. The end-to-end tests (pipe-it) and the Netty transport are
 * the same code on every JDK above the baseline, and the two outer lines bracket it; running them
 * a third time under Wine took about 230 s of the 284 s of that run in CI (at 550cb86). GitHub's Windows job still
 * runs everything natively on every line.
 */
final class WineJdkCoverage {
    /** The packages a middle line runs: the library modules' Windows tests, and the docs' examples (a few seconds). */
    static final List<String> LIBRARY_PACKAGES = List.of("io.pipekit.core", "io.pipekit.server", "io.pipekit.client",
            "io.pipekit.examples");
    /** Every Windows-only test. */
    static final List<String> EVERYTHING = List.of("io.pipekit");

    private WineJdkCoverage() {
    }

    /**
     * The packages each line runs, in the order the runs should start: the whole-suite lines first,
     * since they take longest and two run at a time.
     *
     * @param lines the image's lines, oldest first
     */
    static Map<String, List<String>> plan(List<String> lines) {
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("the test bed holds no Java runtime");
        }
        Map<String, List<String>> plan = new LinkedHashMap<>();
        plan.put(lines.get(0), EVERYTHING);
        plan.put(lines.get(lines.size() - 1), EVERYTHING);
        for (String line : lines.subList(1, Math.max(1, lines.size() - 1))) {
            plan.put(line, LIBRARY_PACKAGES);
        }
        return plan;
    }

    /** The console launcher's selector for {@code packages}. */
    static String selector(List<String> packages) {
        return packages.stream().map(p -> "--select-package=" + p).collect(java.util.stream.Collectors.joining(" "));
    }
}
