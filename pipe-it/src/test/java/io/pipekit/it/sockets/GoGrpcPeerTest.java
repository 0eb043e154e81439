package io.pipekit.it.sockets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.testing.integration.TestServiceGrpc;
import io.grpc.testing.integration.TestServiceGrpc.TestServiceBlockingStub;
import io.grpc.testing.integration.TestServiceGrpc.TestServiceStub;
import io.pipekit.client.PipeSocket;
import io.pipekit.client.PipeSocketFactory;
import io.pipekit.testing.WindowsOnly;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A grpc-java client on its OkHttp transport, over {@link PipeSocketFactory} as docs/sockets.md's
 * gRPC recipe sets it up ({@link GrpcRecipes#channel}), calls grpc-go's interop {@code TestService}
 * ({@code google.golang.org/grpc/interop}) listening through go-winio's {@code ListenPipe}
 * ({@link GoPeer}): client and server from two gRPC implementations, neither written here, over a
 * Windows named pipe. The cases are those of grpc/grpc's doc/interop-test-descriptions.md, asserted
 * as it words them, and every call of a test shares the channel's one pipe connection.
 *
 * <p>The {@code @Timeout}s only stop a hang from holding up the suite; nothing here is timed.
 */
@WindowsOnly
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class GoGrpcPeerTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    private GoPeer server;
    private CountingSocketFactory sockets;
    private ManagedChannel channel;
    private GrpcInteropCases interop;

    @BeforeEach
    void startGoServerAndChannel() throws Exception {
        server = GoPeer.grpc(dir);
        sockets = new CountingSocketFactory(PipeSocketFactory.of(server.pipeName).withConnectTimeout(PATIENCE));
        channel = GrpcRecipes.channel(sockets);
        interop = new GrpcInteropCases(this::blocking, this::async);
    }

    @AfterEach
    void stopChannelAndGoServer() throws Exception {
        try {
            channel.shutdownNow();
            assertTrue(channel.awaitTermination(30, TimeUnit.SECONDS), "the channel stops");
            for (Socket socket : sockets.made) {
                assertTrue(socket.isClosed(), "the channel closed its socket: " + socket);
            }
        } finally {
            server.close();
        }
    }

    @Test
    void emptyUnary() {
        interop.emptyUnary();
        assertOneSocketCarriedEverything();
    }

    @Test
    void largeUnary() {
        interop.largeUnary();
        assertOneSocketCarriedEverything();
    }

    @Test
    void clientStreaming() throws Exception {
        interop.clientStreaming();
    }

    @Test
    void serverStreaming() {
        interop.serverStreaming();
        assertOneSocketCarriedEverything();
    }

    @Test
    void pingPong() throws Exception {
        interop.pingPong();
    }

    @Test
    void statusCodeAndMessage() throws Exception {
        interop.statusCodeAndMessage();
        assertOneSocketCarriedEverything();
    }

    private void assertOneSocketCarriedEverything() {
        assertEquals(1, sockets.made.size(), "one connection, one pipekit socket: " + sockets.made);
        assertInstanceOf(PipeSocket.class, sockets.made.get(0));
    }

    private TestServiceBlockingStub blocking() {
        return TestServiceGrpc.newBlockingStub(channel).withDeadlineAfter(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }

    private TestServiceStub async() {
        return TestServiceGrpc.newStub(channel).withDeadlineAfter(PATIENCE.toSeconds(), TimeUnit.SECONDS);
    }
}
