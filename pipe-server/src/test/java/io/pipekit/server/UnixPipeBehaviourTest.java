package io.pipekit.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.client.PipeClient;
import io.pipekit.core.PeerIdentity;
import io.pipekit.core.PipeClosedException;
import io.pipekit.core.PipeInterruptedException;
import io.pipekit.core.PipeNameInUseException;
import io.pipekit.core.PipeException;
import io.pipekit.core.PipeTimeoutException;
import io.pipekit.core.Transport;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import io.pipekit.testing.Resources;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The shared behaviour on Unix domain sockets, natively on Linux and macOS. */
@EnabledOnOs({OS.LINUX, OS.MAC})
class UnixPipeBehaviourTest extends IdentityBehaviourSpec {

    @Override
    Transport transport() {
        return Transport.UNIX_DOMAIN_SOCKETS;
    }

    /** pipekit's sockets and the process's selectors (only pipekit makes any here), counted from /proc on Linux: exact there. */
    @Override
    long openResources() throws Exception {
        return Resources.pipekitSocketsAndSelectors();
    }

    @Override
    boolean ownResourcesAreExact() {
        return Resources.countsPipekitDescriptorsExactly();
    }

    @Override
    String resourceKind() {
        return Resources.countsPipekitDescriptorsExactly() ? "Unix sockets with a path at either end, and selectors"
                : "open socket, pipe and selector descriptors";
    }

    @Override
    int manyClients() {
        return 1000;
    }

    @Override
    void assertIsThisProcessUser(PeerIdentity identity) {
        assertEquals(OptionalLong.of(currentUid()), identity.uid(), identity::describe);
        assertEquals(Optional.of(System.getProperty("user.name")), identity.user(), identity::describe);
        assertTrue(identity.sid().isEmpty() && identity.sessionId().isEmpty(), "no Windows notions on Unix: " + identity);
        assertEquals(PeerIdentity.Source.UNIX_CREDENTIALS, identity.source());
    }

    @Override
    String anotherUser() {
        return Long.toString(currentUid() + 4242); // a uid nobody here runs as
    }

    @Override
    PeerIdentity anotherUsersClient() {
        return PeerIdentity.unixBuilder().processId(4242).uid(Long.parseLong(anotherUser())).gid(4242).build();
    }

    @Override
    boolean thisUserIsTheSystem() {
        return currentUid() == 0;
    }

    @Override
    String thisUser() {
        return System.getProperty("user.name");
    }

    /** A second server on the name: refused while the first one serves it. */
    @Override
    boolean squatOnce(String name) {
        try (PipeServer squatter = PipeServer.builder(name).transport(transport()).handler((c, r) -> r).start()) {
            return true;
        } catch (PipeNameInUseException expected) {
            return false;
        } catch (PipeException e) {
            throw new AssertionError("the squat attempt failed otherwise than refused: " + e, e);
        }
    }

    @Override
    void assertRunAsClientBehaviour(ClientInfo client) {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> client.runAsClient(() -> 1));
        assertTrue(e.getMessage().contains("not supported on Unix"), e.getMessage());
    }

    /**
     * A client with no receive timeout: its receives wait with no deadline (the spec's clients all
     * have one). The tests below pin what such a receive must keep whatever way the client waits:
     * issue 28 asked whether it could block in the socket's {@code read} rather than wait for
     * readiness in a selector first, and a Unix socket channel has one blocking mode for both
     * directions, switched only while neither a read nor a write is in progress.
     */
    private PipeClient clientWithNoReceiveTimeout() throws PipeException {
        PipeClient client = PipeClient.builder(name).transport(transport()).connectTimeout(TIMEOUT).connect();
        closeLater(client);
        return client;
    }

    @Test
    void closeFromAnotherThreadEndsAReceiveWithNoTimeout() throws Exception {
        echoServer(builder());
        PipeClient client = clientWithNoReceiveTimeout();
        BlockedCall blocked = BlockedCall.start(client::receive);
        blocked.awaitWaiting(TIMEOUT);

        client.close();

        assertInstanceOf(PipeClosedException.class, blocked.outcome(TIMEOUT));
    }

    @Test
    void interruptEndsAReceiveWithNoTimeoutAndClosesTheConnection() throws Exception {
        echoServer(builder());
        PipeClient client = clientWithNoReceiveTimeout();
        BlockedCall blocked = BlockedCall.start(client::receive);
        blocked.awaitWaiting(TIMEOUT);

        blocked.interrupt();

        assertInstanceOf(PipeInterruptedException.class, blocked.outcome(TIMEOUT));
        assertTrue(blocked.interruptFlagAfter(), "the thread's interrupt flag is set when it is thrown");
        assertTrue(!client.isOpen(), "the interrupted receive closed the connection");
        assertThrows(PipeClosedException.class, client::receive);
    }

    @Test
    void receivesWithAndWithoutADeadlineFollowEachOtherOnOneConnection() throws Exception {
        echoServer(builder());
        PipeClient client = clientWithNoReceiveTimeout();
        byte[] first = "no deadline".getBytes(UTF_8);
        byte[] second = "a deadline after none".getBytes(UTF_8);
        byte[] third = "none after a deadline that passed".getBytes(UTF_8);

        assertArrayEquals(first, client.transact(first));
        client.send(second);
        assertArrayEquals(second, client.receive(TIMEOUT));
        assertThrows(PipeTimeoutException.class, () -> client.receive(Duration.ofMillis(50)), "nothing was sent to answer");
        client.send(third);
        assertArrayEquals(third, client.receive());
        assertArrayEquals(first, client.transact(first), "and the connection is as usable as at first");
    }

    /**
     * A reader waiting with no deadline holds nothing a writer on another thread needs: the send,
     * timed or not, goes out at once, and its answer ends the receive. (Were the channel switched
     * to blocking mode for the receive, a timed send could not switch it back while the receive
     * holds the channel's read lock, and would wait for an answer to a request it never sent.)
     */
    @Test
    void sendsOnAnotherThreadGoOutWhileAReceiveWithNoTimeoutWaits() throws Exception {
        echoServer(builder());
        PipeClient client = clientWithNoReceiveTimeout();
        ExecutorService receiver = Executors.newSingleThreadExecutor();
        try {
            for (Duration sendTimeout : new Duration[] {null, Duration.ofSeconds(5)}) {
                CompletableFuture<Thread> receiving = new CompletableFuture<>();
                Future<byte[]> received = receiver.submit(() -> {
                    receiving.complete(Thread.currentThread());
                    return client.receive();
                });
                BlockedCall.awaitWaitingInPipekit(receiving.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS), TIMEOUT);
                byte[] ping = ("sent with " + (sendTimeout == null ? "no timeout" : "a timeout")).getBytes(UTF_8);

                assertTimeoutPreemptively(TIMEOUT, () -> {
                    if (sendTimeout == null) {
                        client.send(ping);
                    } else {
                        client.send(ping, sendTimeout);
                    }
                });

                assertArrayEquals(ping, received.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
            }
        } finally {
            receiver.shutdownNow();
        }
    }

    /**
     * A timed send to a server that reads no more times out in its time while another thread
     * waits, with no deadline, for an answer that never comes; close then ends that receive.
     */
    @Test
    void timedSendToAFullPipeTimesOutWhileAReceiveWithNoTimeoutWaits() throws Exception {
        PipeServer server = builder().inBufferSize(4096).asyncHandler((c, request) -> new CompletableFuture<>()).start();
        closeLater(server);
        PipeClient client = clientWithNoReceiveTimeout();
        client.send(new byte[] {1}); // read, and never answered: the server reads no more
        BlockedCall receiving = BlockedCall.start(client::receive);
        receiving.awaitWaiting(TIMEOUT);
        byte[] chunk = new byte[64 * 1024];

        PipeTimeoutException timedOut = assertTimeoutPreemptively(TIMEOUT, () -> {
            for (int i = 0; i < 1000; i++) {
                try {
                    client.send(chunk, Duration.ofMillis(200));
                } catch (PipeTimeoutException e) {
                    return e;
                }
            }
            return null;
        });

        assertNotNull(timedOut, "1000 sends of 64 KiB to a server that does not read all went through");
        client.close();
        assertInstanceOf(PipeClosedException.class, receiving.outcome(TIMEOUT));
    }

    /** This process's effective uid, as pipekit's public API tells it. */
    private static long currentUid() {
        try {
            return PeerIdentity.currentProcess().uid().orElseThrow();
        } catch (PipeException e) {
            throw new AssertionError(e);
        }
    }
}
