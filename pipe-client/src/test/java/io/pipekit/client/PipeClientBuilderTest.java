package io.pipekit.client;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.core.Transport;
import io.pipekit.testing.WindowsOnly;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.function.Executable;

/**
 * Issue 25: the builder checked its options at three different times (the setter, the connect,
 * or never until a call failed), so a bad value surfaced far from where it was written. Each
 * setter now refuses a bad value itself, with the option's name in the message, and the builder
 * stays as it was. No test here connects anywhere: every refusal comes before any native call.
 */
class PipeClientBuilderTest {
    private final PipeClient.Builder builder = PipeClient.builder("pipekit-builder-test-" + UUID.randomUUID());

    private static void refused(Class<? extends RuntimeException> type, String option, Executable setter) {
        RuntimeException e = assertThrows(type, setter);
        assertTrue(e.getMessage() != null && e.getMessage().contains(option), () -> "the message names " + option + ": " + e.getMessage());
    }

    @Test
    void negativeConnectTimeoutIsRefusedByItsSetter() {
        refused(IllegalArgumentException.class, "connectTimeout", () -> builder.connectTimeout(Duration.ofMillis(-1)));
    }

    @Test
    void maxMessageSizeBelowOneIsRefusedByItsSetter() {
        refused(IllegalArgumentException.class, "maxMessageSize", () -> builder.maxMessageSize(0));
        refused(IllegalArgumentException.class, "maxMessageSize", () -> builder.maxMessageSize(-5));
    }

    @Test
    void negativeReceiveAndSendTimeoutsAreRefusedByTheirSetters() {
        refused(IllegalArgumentException.class, "receiveTimeout", () -> builder.receiveTimeout(Duration.ofSeconds(-1)));
        refused(IllegalArgumentException.class, "sendTimeout", () -> builder.sendTimeout(Duration.ofSeconds(-1)));
    }

    @Test
    void nullOptionsAreRefusedByTheirSettersWithTheOptionsName() {
        refused(NullPointerException.class, "connectTimeout", () -> builder.connectTimeout(null));
        refused(NullPointerException.class, "receiveTimeout", () -> builder.receiveTimeout(null));
        refused(NullPointerException.class, "sendTimeout", () -> builder.sendTimeout(null));
        refused(NullPointerException.class, "readMode", () -> builder.readMode(null));
        refused(NullPointerException.class, "transport", () -> builder.transport(null));
        refused(NullPointerException.class, "serverTrust", () -> builder.serverTrust(null));
    }

    @Test
    void aRefusedValueLeavesTheBuilderAsItWas() {
        PipeClient.Builder same = builder.connectTimeout(Duration.ZERO).maxMessageSize(1);
        assertSame(builder, same);
        assertThrows(IllegalArgumentException.class, () -> builder.maxMessageSize(0));
        assertThrows(IllegalArgumentException.class, () -> builder.connectTimeout(Duration.ofMillis(-1)));
        // Zero is an accepted connect timeout (one attempt); the refused values did not replace it.
        assertThrows(io.pipekit.core.NoSuchPipeException.class, builder::connect, "no server: one attempt, then no such pipe");
    }

    /** Named pipes exist only on Windows: asking for them elsewhere failed inside JNA at connect, with a linkage error. */
    @Test
    @DisabledOnOs(OS.WINDOWS)
    void windowsNamedPipesAreRefusedByTheSetterOffWindows() {
        refused(IllegalArgumentException.class, "WINDOWS_NAMED_PIPES", () -> builder.transport(Transport.WINDOWS_NAMED_PIPES));
    }

    /**
     * Unix sockets on Windows were never tested, and the socket side relies on Unix-only calls
     * (SO_PEERCRED, geteuid, POSIX permissions): the setter refuses them there, naming both ways.
     */
    @Test
    @WindowsOnly
    void unixDomainSocketsAreRefusedByTheSetterOnWindows() {
        refused(IllegalArgumentException.class, "UNIX_DOMAIN_SOCKETS", () -> builder.transport(Transport.UNIX_DOMAIN_SOCKETS));
        assertSame(builder, builder.transport(Transport.WINDOWS_NAMED_PIPES));
    }
}
