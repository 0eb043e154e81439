package io.pipekit.server;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** What the builder refuses before any native call, on every OS. */
class PipeServerBuilderTest {

    @Test
    void startWithoutAHandlerSaysWhatIsMissing() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> PipeServer.builder("x").start());
        assertTrue(e.getMessage().contains("handler"), e.getMessage());
    }

    @Test
    void moreListeningInstancesThanMaxInstancesIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PipeServer.builder("x").handler((c, r) -> r).maxInstances(2).listeningInstances(3).start());
        assertTrue(e.getMessage().contains("listeningInstances"), e.getMessage());
    }

    @Test
    void invalidPipeNameIsRefusedWhenTheBuilderIsMade() {
        assertThrows(IllegalArgumentException.class, () -> PipeServer.builder("bad\\name"));
        assertThrows(IllegalArgumentException.class, () -> PipeServer.builder(""));
    }

    @Test
    void defaultClientWaitIsCheckedWhenSet() {
        PipeServer.Builder builder = PipeServer.builder("x");
        assertThrows(NullPointerException.class, () -> builder.defaultClientWait(null));
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> builder.defaultClientWait(Duration.ofMillis(-1)));
        assertTrue(negative.getMessage().contains("defaultClientWait"), negative.getMessage());
        assertThrows(IllegalArgumentException.class, () -> builder.defaultClientWait(Duration.ofMillis(Integer.MAX_VALUE + 1L)));
        builder.defaultClientWait(Duration.ZERO).defaultClientWait(Duration.ofMillis(Integer.MAX_VALUE)); // the bounds themselves
    }
}
