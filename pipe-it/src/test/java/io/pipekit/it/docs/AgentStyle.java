package io.pipekit.it.docs;

import io.pipekit.client.PipeClient;
import io.pipekit.core.LengthPrefixFraming;
import io.pipekit.core.PipeException;
import io.pipekit.core.PipeType;
import io.pipekit.core.ReadMode;
import io.pipekit.server.FramedRequests;
import io.pipekit.server.PipeServer;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The byte-type pipe example of docs/tutorial.md: the OpenSSH agent's framing (a 4-byte
 * big-endian length before each message) over a byte-type pipe, client and server. Quoted from
 * here and run by {@link DocExamplesTest} on the host and under Wine.
 */
public final class AgentStyle {
    /** The agent protocol's framing: u32be lengths, and no message above 256 KiB (as OpenSSH's agent). */
    public static final LengthPrefixFraming AGENT = LengthPrefixFraming.u32be(256 * 1024);
    public static final byte REQUEST_IDENTITIES = 11;   // SSH_AGENTC_REQUEST_IDENTITIES
    public static final byte IDENTITIES_ANSWER = 12;    // SSH_AGENT_IDENTITIES_ANSWER
    public static final byte FAILURE = 5;               // SSH_AGENT_FAILURE
    /** SSH_AGENTC_EXTENSION: the test peer (agent-server.exe) echoes these whole. */
    public static final byte EXTENSION = 27;
    /** The same framing with room for the tests' 1 MiB messages. */
    public static final LengthPrefixFraming AGENT_TESTS = LengthPrefixFraming.u32be(4 * 1024 * 1024);

    /** Asks the agent on {@code name} how many keys it holds. */
    public static int countIdentities(String name) throws IOException {
        try (PipeClient agent = PipeClient.builder(name).readMode(ReadMode.BYTE).connect()) {
            AGENT.write(agent.outputStream(), new byte[] {REQUEST_IDENTITIES});
            byte[] answer = AGENT.read(agent.inputStream());  // one whole frame, however it arrives
            if (answer == null || answer.length < 5 || answer[0] != IDENTITIES_ANSWER) {
                throw new IOException("the agent did not answer with its identities");
            }
            return ByteBuffer.wrap(answer, 1, 4).getInt();     // big-endian, as the whole protocol
        }
    }

    /** Serves {@code name} as a byte-type pipe that answers like an agent holding no keys. */
    public static PipeServer serveEmptyAgent(String name) throws PipeException {
        return PipeServer.builder(name)
                .pipeType(PipeType.BYTE)
                .connectionHandler(FramedRequests.answering(AGENT, (client, request) ->
                        request.length > 0 && request[0] == REQUEST_IDENTITIES
                                ? new byte[] {IDENTITIES_ANSWER, 0, 0, 0, 0}  // zero keys
                                : new byte[] {FAILURE}))
                .start();
    }

    private AgentStyle() {
    }
}
