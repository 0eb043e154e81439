package io.pipekit.it.wine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Whether one JDK's run under Wine really ran the Windows suite: every test of the
 * {@link WindowsSuiteCensus census} has a result, and a test skipped there is one that the
 * reviewed list {@code .ci/wine-skips.tsv} names, with its reason ({@code .ci/test-counts.py}
 * holds the reports to the same list). A suite that "passed" with every
 * test skipped, or with half of them never selected, fails here.
 *
 * <p>A JDK that runs only part of the suite ({@link WineJdkCoverage}) is held to its part,
 * {@code required}; the reviewed list is checked against the whole census.
 *
 * @param census every Windows-only test
 * @param required the tests this run must have a result for: the census, or the part of it one JDK runs
 * @param allowedSkips {@code SimpleClass.method} → why it may skip under Wine
 */
record SuiteCompleteness(Set<String> census, Set<String> required, Map<String, String> allowedSkips) {
    /** A run held to the whole census. */
    SuiteCompleteness(Set<String> census, Map<String, String> allowedSkips) {
        this(census, census, allowedSkips);
    }

    /** The same checks for a run that must cover only {@code part} of the census. */
    SuiteCompleteness requiring(Set<String> part) {
        return new SuiteCompleteness(census, part, allowedSkips);
    }

    /** The reviewed list's name, in the repository's {@code .ci} folder. */
    static final String SKIPS_FILE = "wine-skips.tsv";

    /** The census and the reviewed list of skips of the repository at {@code repoRoot}. */
    static SuiteCompleteness of(Set<String> census, Path repoRoot) {
        return new SuiteCompleteness(census, readSkips(repoRoot.resolve(".ci").resolve(SKIPS_FILE)));
    }

    /** What is wrong with {@code results}, one line each; empty when the run is complete. */
    List<String> problems(Collection<InnerTestResult> results) {
        List<String> problems = new ArrayList<>();
        if (census.isEmpty()) {
            problems.add("the census found no Windows-only test on the host: the selection itself is broken");
        } else if (required.isEmpty()) {
            problems.add("this run's part of the census holds no Windows-only test: its selection is broken");
        } else if (!census.containsAll(required)) {
            problems.add("this run's part names tests outside the census: " + required.stream().filter(t -> !census.contains(t)).toList());
        }
        Set<String> ran = new TreeSet<>();
        for (InnerTestResult result : results) {
            String key = WindowsSuiteCensus.key(result.className(), result.name());
            ran.add(key);
            if (result.status() == InnerTestResult.Status.SKIPPED && !allowedSkips.containsKey(key)) {
                problems.add(key + " was skipped under Wine (\"" + result.message() + "\"), and " + SKIPS_FILE
                        + " does not list it with a reason");
            }
        }
        Set<String> missing = new TreeSet<>(required);
        missing.removeAll(ran);
        if (!missing.isEmpty()) {
            problems.add(missing.size() + " of the " + required.size() + " Windows-only tests never ran under Wine: " + missing);
        }
        for (String listed : allowedSkips.keySet()) {
            if (!census.contains(listed)) {
                problems.add(SKIPS_FILE + " lists " + listed + ", which is not a Windows-only test (any more): remove it");
            }
        }
        return problems;
    }

    /** {@code SimpleClass.method<TAB>reason} lines; blank lines and {@code #} comments are ignored. */
    static Map<String, String> readSkips(Path file) {
        Map<String, String> skips = new TreeMap<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] fields = line.split("\t", 2);
                if (fields.length < 2 || fields[1].isBlank()) {
                    throw new IllegalStateException(file + ": every skip needs a reason after a tab: " + line);
                }
                skips.put(fields[0].strip(), fields[1].strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return skips;
    }
}
