package io.pipekit.it.wine;

import java.util.Arrays;
import java.util.List;

/**
 * A developer's narrowing of the Windows suite under Wine, for a quick loop on one class and one
 * JDK: {@code -Dpipekit.wine.jdks=17} (comma-separated lines) and
 * {@code -Dpipekit.wine.select=io.pipekit.client.SomeTest} (a class, or a package with
 * {@code package:}; several, comma-separated). CI must run everything, so with {@code CI=true} either property fails the run.
 */
record DeveloperFilter(String jdks, String select) {
    static final String JDKS = "pipekit.wine.jdks";
    static final String SELECT = "pipekit.wine.select";

    static DeveloperFilter fromSystemProperties() {
        DeveloperFilter filter = new DeveloperFilter(blankToNull(System.getProperty(JDKS)), blankToNull(System.getProperty(SELECT)));
        if ((filter.jdks != null || filter.select != null) && WindowsTestBedGate.required()) {
            throw new IllegalStateException("-D" + JDKS + " and -D" + SELECT + " narrow the Windows suite for a developer's"
                    + " loop; CI (CI=true) runs all of it");
        }
        return filter;
    }

    /** The image's lines this run takes, in the image's order. */
    List<String> jdks(List<String> imageLines) {
        if (jdks == null) {
            return imageLines;
        }
        List<String> wanted = Arrays.asList(jdks.split("\\s*,\\s*"));
        return imageLines.stream().filter(wanted::contains).toList();
    }

    /** The console launcher's selector: every package under io.pipekit unless narrowed. */
    String selector() {
        if (select == null) {
            return "--select-package=io.pipekit";
        }
        return Arrays.stream(select.split("\\s*,\\s*"))
                .map(one -> one.startsWith("package:") ? "--select-package=" + one.substring("package:".length()) : "--select-class=" + one)
                .collect(java.util.stream.Collectors.joining(" "));
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
