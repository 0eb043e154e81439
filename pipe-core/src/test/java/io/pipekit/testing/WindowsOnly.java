package io.pipekit.testing;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * Marks a test that needs real Windows named pipes.
 *
 * <p>On Windows, Surefire runs it natively. On Linux it is disabled in the module's own
 * build, and pipe-it runs it instead inside the Wine test bed, which selects every test
 * carrying the {@value #TAG} tag, from every module, and reports each result back to the
 * outer build. A Windows test therefore lives beside the code it tests and never needs to
 * know whether it runs on Windows or under Wine.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@Tag(WindowsOnly.TAG)
@EnabledOnOs(value = OS.WINDOWS, disabledReason = "needs Windows named pipes; on Linux pipe-it runs it under Wine")
public @interface WindowsOnly {
    /** The JUnit tag by which the Wine test bed selects Windows-only tests. */
    String TAG = "windows";
}
