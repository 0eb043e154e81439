package io.pipekit.it.wine;

import io.pipekit.testing.WindowsOnly;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TagFilter;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Which Windows-only tests exist, found on the host by the same selection the test bed's launcher
 * makes ({@code io.pipekit}, tag {@value WindowsOnly#TAG}): the floor of what must run under Wine,
 * counted from the compiled sources rather than typed in anywhere.
 *
 * <p>A test is named {@code SimpleClass.method}: a parameterized or factory method counts once,
 * whatever it expands to, and an inherited spec method counts once per class that runs it.
 */
final class WindowsSuiteCensus {
    private WindowsSuiteCensus() {
    }

    /** Every Windows-only test method of the test class path, as {@code SimpleClass.method}. */
    static Set<String> discover() {
        return discover(WineJdkCoverage.EVERYTHING);
    }

    /** The Windows-only test methods in {@code packages} (and their subpackages), as {@code SimpleClass.method}. */
    static Set<String> discover(List<String> packages) {
        TestPlan plan = LauncherFactory.create().discover(LauncherDiscoveryRequestBuilder.request()
                .selectors(packages.stream().map(DiscoverySelectors::selectPackage).toList())
                .filters(TagFilter.includeTags(WindowsOnly.TAG))
                .build());
        Set<String> tests = new TreeSet<>();
        for (TestIdentifier root : plan.getRoots()) {
            for (TestIdentifier node : plan.getDescendants(root)) {
                if (node.getSource().orElse(null) instanceof MethodSource method) {
                    tests.add(key(method.getClassName(), method.getMethodName()));
                }
            }
        }
        return tests;
    }

    /** {@code io.pipekit.x.SomeTest}, {@code someMethod(int)[2]} → {@code SomeTest.someMethod}. */
    static String key(String className, String testName) {
        int paren = testName.indexOf('(');
        return className.substring(className.lastIndexOf('.') + 1) + "." + (paren < 0 ? testName : testName.substring(0, paren));
    }

    /** Writes the census, one test a line, for {@code .ci/test-counts.py}. */
    static void write(Set<String> tests, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, tests);
    }
}
