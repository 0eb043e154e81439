package io.pipekit.it.sockets;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.netty.channel.EventLoopGroup;
import io.pipekit.core.PeerIdentity;
import io.pipekit.it.ChildProcess;
import io.pipekit.netty.NettyPipeAddress;
import io.pipekit.netty.PipeNetty;
import io.pipekit.server.Admission;
import io.pipekit.testing.WindowsOnly;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * gRPC between two implementations over a Windows named pipe, Go calling Java: grpc-go's client
 * ({@link GoPeer#grpcClient}: grpc-go v1.85 through go-winio's {@code DialPipeContext}) runs
 * grpc-go's own interop cases ({@code google.golang.org/grpc/interop}) against grpc-java's Netty
 * server on pipe-netty's named-pipe server channel. {@link PipeNettyToGoGrpcServerTest} is the other
 * direction.
 *
 * <p>The {@code @Timeout}s and waits only stop a hang from holding up the suite; nothing is timed.
 */
@WindowsOnly
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class GoGrpcClientToPipeNettyTest {
    /** The cases go-peer's client runs, in the order of interop-test-descriptions.md (main.go). */
    private static final List<String> GO_CASES = List.of("empty_unary", "large_unary", "client_streaming", "server_streaming",
            "ping_pong", "empty_stream", "cancel_after_begin", "cancel_after_first_response", "timeout_on_sleeping_server",
            "custom_metadata", "status_code_and_message", "special_status_message", "unimplemented_method",
            "unimplemented_service");

    @TempDir
    Path dir;
    private EventLoopGroup loop;

    @BeforeEach
    void startLoop() {
        loop = PipeNetty.eventLoopGroup(1);
    }

    @AfterEach
    void stopLoop() throws Exception {
        assertTrue(loop.shutdownGracefully(0, 10, TimeUnit.SECONDS).await(60, TimeUnit.SECONDS), "the loop stops");
    }

    /**
     * grpc-go's client passes every interop case it has against grpc-java's server on pipe-netty,
     * and every call it makes is known to the server as the Go process, from the pipe.
     */
    @Test
    void grpcGoClientThroughGoWinioPassesItsInteropCasesAgainstGrpcJavaOnPipeNetty() throws Exception {
        NettyPipeAddress address = PipeNetty.address("pipekit-go-client-" + UUID.randomUUID());
        Queue<PeerIdentity> callers = new ConcurrentLinkedQueue<>();
        Server server = PipeNettyRecipes.server(address, loop, Admission.sameUser(), ServerInterceptors.intercept(
                new InteropTestService(), new InteropMetadataEcho(), PipeNettyRecipes.callerIdentity(callers::add)));
        Path results = dir.resolve("go-client-results.txt");
        try (ChildProcess client = GoPeer.grpcClient(address.pipeAddress().toString(), results)) {
            int exit = client.awaitExit(Duration.ofMinutes(3));
            List<String> passed = Files.exists(results) ? Files.readAllLines(results, UTF_8) : List.of();
            List<String> expected = new ArrayList<>();
            GO_CASES.forEach(name -> expected.add("passed " + name));
            expected.add("all passed");
            assertEquals(expected, passed, "go-peer's client printed: " + client.output());
            assertEquals(0, exit, "go-peer's client printed: " + client.output());

            assertFalse(callers.isEmpty(), "no call reached the server's interceptor");
            for (PeerIdentity caller : callers) {
                assertEquals(OptionalLong.of(client.pid()), caller.processId(), "the caller is go-peer.exe: " + caller);
                assertEquals(PeerIdentity.currentProcess().user(), caller.user(), "the caller is this user: " + caller);
            }
        } finally {
            server.shutdownNow();
            assertTrue(server.awaitTermination(30, TimeUnit.SECONDS), "the server stops");
        }
    }
}
