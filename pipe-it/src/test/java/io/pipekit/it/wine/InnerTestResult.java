package io.pipekit.it.wine;

/**
 * The outcome of one test that ran inside the Wine test bed, as its JUnit XML report gives it.
 *
 * @param className the test class, fully qualified
 * @param name the test's name, such as {@code serverAnswersEachClientInTurn()}
 * @param status passed, failed (an assertion or an error) or skipped
 * @param message the failure's or skip's message, or empty
 * @param detail the failure's type and stack trace as reported, or empty
 * @param seconds how long the test took under Wine
 */
record InnerTestResult(String className, String name, Status status, String message, String detail, double seconds) {

    /** What became of an inner test. */
    enum Status { PASSED, FAILED, SKIPPED }

    /** {@code SimpleClassName.method()}: short enough to read in a list of results. */
    String displayName() {
        return className.substring(className.lastIndexOf('.') + 1) + "." + name;
    }
}
