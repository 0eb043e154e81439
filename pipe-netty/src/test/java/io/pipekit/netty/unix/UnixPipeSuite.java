package io.pipekit.netty.unix;

import io.pipekit.netty.FailOnLeaks;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A Netty transport test run against the Unix pipe channels: on Linux and macOS (Windows runs the
 * named pipe twins), with every lost buffer failing the class.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@EnabledOnOs({OS.LINUX, OS.MAC})
@ExtendWith(FailOnLeaks.class)
public @interface UnixPipeSuite {
}
