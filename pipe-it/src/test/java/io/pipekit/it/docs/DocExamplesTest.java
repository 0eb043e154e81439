package io.pipekit.it.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.pipekit.testing.WindowsOnly;
import java.util.UUID;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The docs' examples, run: on the host JVM (Unix domain sockets on Linux and macOS) and, through
 * the {@value WindowsOnly#TAG} tag, in the Windows suite under Wine (named pipes) as well.
 */
@Tag(WindowsOnly.TAG)
class DocExamplesTest {

    @Test
    void theReadmeAndTutorialExampleRoundTripsOnThisPlatformsTransport() throws Exception {
        assertEquals("Default answer from server", Hello.roundTrip("pipekit-docs-" + UUID.randomUUID()));
    }

    @Test
    void theAgentStyleExampleSpeaksLengthPrefixedFramesOverAByteTypePipe() throws Exception {
        String name = "pipekit-agent-" + UUID.randomUUID();
        try (var server = AgentStyle.serveEmptyAgent(name)) {
            assertEquals(0, AgentStyle.countIdentities(name));
        }
    }
}
