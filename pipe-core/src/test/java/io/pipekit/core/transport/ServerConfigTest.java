package io.pipekit.core.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.core.PipeName;
import io.pipekit.core.PipeType;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ServerConfigTest {
    private static final PipeName NAME = PipeName.of("mynamedpipe");
    private static final Duration TIMEOUT = Duration.ofMillis(50);

    private static ServerConfig config(int maxInstances, int listeningInstances, int inBufferSize,
            int outBufferSize, Duration defaultTimeout, int maxMessageSize) {
        return new ServerConfig(NAME, maxInstances, listeningInstances, inBufferSize, outBufferSize,
                defaultTimeout, null, maxMessageSize, PipeType.MESSAGE);
    }

    private static void assertRefused(String keyWord, Runnable construction) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, construction::run);
        assertTrue(e.getMessage().contains(keyWord), e.getMessage());
    }

    @Test
    void validConfigurationKeepsItsValues() {
        ServerConfig config = config(4, 2, 512, 1024, TIMEOUT, 65536);

        assertEquals(NAME, config.name());
        assertEquals(4, config.maxInstances());
        assertEquals(2, config.listeningInstances());
        assertEquals(512, config.inBufferSize());
        assertEquals(1024, config.outBufferSize());
        assertEquals(TIMEOUT, config.defaultTimeout());
        assertNull(config.securityDescriptor());
        assertEquals(65536, config.maxMessageSize());
    }

    @Test
    void twoHundredFiftyFiveInstancesMeansUnlimitedAndLessIsACap() {
        ServerConfig unlimited = config(ServerConfig.UNLIMITED_INSTANCES, 1, 512, 512, TIMEOUT, 512);
        ServerConfig capped = config(254, 1, 512, 512, TIMEOUT, 512);

        assertTrue(unlimited.allowsAnotherInstance(255));
        assertTrue(unlimited.allowsAnotherInstance(100_000));
        assertTrue(capped.allowsAnotherInstance(253));
        assertFalse(capped.allowsAnotherInstance(254));
    }

    @Test
    void maxInstancesFromOneToUnlimitedAreAccepted() {
        assertEquals(1, config(1, 1, 512, 512, TIMEOUT, 512).maxInstances());
        assertEquals(255, config(ServerConfig.UNLIMITED_INSTANCES, 1, 512, 512, TIMEOUT, 512).maxInstances());
    }

    @Test
    void zeroMaxInstancesIsRefused() {
        assertRefused("maxInstances", () -> config(0, 1, 512, 512, TIMEOUT, 512));
    }

    @Test
    void moreThan255MaxInstancesIsRefused() {
        assertRefused("maxInstances", () -> config(256, 1, 512, 512, TIMEOUT, 512));
    }

    @Test
    void listeningInstancesAboveMaxInstancesAreRefused() {
        assertRefused("listeningInstances", () -> config(4, 5, 512, 512, TIMEOUT, 512));
    }

    @Test
    void listeningInstancesEqualToMaxInstancesAreAccepted() {
        assertEquals(4, config(4, 4, 512, 512, TIMEOUT, 512).listeningInstances());
    }

    @Test
    void zeroListeningInstancesAreRefused() {
        assertRefused("listeningInstances", () -> config(4, 0, 512, 512, TIMEOUT, 512));
    }

    @Test
    void nonPositiveBufferSizesAreRefused() {
        assertRefused("buffer", () -> config(4, 1, 0, 512, TIMEOUT, 512));
        assertRefused("buffer", () -> config(4, 1, -1, 512, TIMEOUT, 512));
        assertRefused("buffer", () -> config(4, 1, 512, 0, TIMEOUT, 512));
        assertRefused("buffer", () -> config(4, 1, 512, -1, TIMEOUT, 512));
    }

    @Test
    void nonPositiveMaxMessageSizeIsRefused() {
        assertRefused("maxMessageSize", () -> config(4, 1, 512, 512, TIMEOUT, 0));
        assertRefused("maxMessageSize", () -> config(4, 1, 512, 512, TIMEOUT, -1));
    }

    @Test
    void negativeTimeoutIsRefused() {
        assertRefused("defaultTimeout", () -> config(4, 1, 512, 512, Duration.ofMillis(-1), 512));
    }

    @Test
    void zeroTimeoutIsAccepted() {
        assertEquals(Duration.ZERO, config(4, 1, 512, 512, Duration.ZERO, 512).defaultTimeout());
    }

    @Test
    void timeoutBeyondTheWin32RangeIsRefused() {
        assertRefused("defaultTimeout",
                () -> config(4, 1, 512, 512, Duration.ofMillis(Integer.MAX_VALUE + 1L), 512));
    }

    @Test
    void nameAndTimeoutAreRequired() {
        assertThrows(NullPointerException.class,
                () -> new ServerConfig(null, 4, 1, 512, 512, TIMEOUT, null, 512, PipeType.MESSAGE));
        assertThrows(NullPointerException.class,
                () -> new ServerConfig(NAME, 4, 1, 512, 512, null, null, 512, PipeType.MESSAGE));
    }
}
