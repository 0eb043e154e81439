package io.pipekit.server;

import io.pipekit.testing.Await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.client.PipeClient;
import io.pipekit.core.PeerClosedException;
import io.pipekit.core.PipeException;
import io.pipekit.core.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Claims the docs make that no other test checked, on each transport (a subclass per transport):
 * "pipekit starts no other thread" (docs/architecture.md, Threads), "one log line" per client
 * failure (architecture.md, Errors), the admission refusal's log line (security.md), and
 * {@link Connection#runAsClient} (security.md).
 */
abstract class ServerClaimsSpec {
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    final String name = "pipekit-test-" + UUID.randomUUID();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    /** The transport under test. */
    abstract Transport transport();

    /** Asserts what {@link Connection#runAsClient} does on this transport, called on the server thread. */
    abstract void assertConnectionRunAsClient(Connection connection) throws Exception;

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    PipeServer.Builder builder() {
        return PipeServer.builder(name).transport(transport());
    }

    PipeServer start(PipeServer.Builder builder) throws PipeException {
        PipeServer server = builder.start();
        toClose.add(server);
        return server;
    }

    PipeClient client() throws PipeException {
        PipeClient client = PipeClient.builder(name).transport(transport()).connectTimeout(TIMEOUT).receiveTimeout(TIMEOUT).connect();
        toClose.add(client);
        return client;
    }

    // ---- "pipekit starts no other thread" --------------------------------------------------

    @Test
    void aRequestHandlerServerRunsOnItsOneThreadAndStartsNoOther() throws Exception {
        assertOneServerThreadWhileServing(builder().handler((client, request) -> request));
    }

    @Test
    void anAsyncHandlerServerRunsOnItsOneThreadAndStartsNoOther() throws Exception {
        assertOneServerThreadWhileServing(builder().asyncHandler((client, request) -> CompletableFuture.completedFuture(request)));
    }

    @Test
    void aConnectionHandlerServerRunsOnItsOneThreadAndStartsNoOther() throws Exception {
        assertOneServerThreadWhileServing(builder().connectionHandler((connection, message) -> connection.send(message)));
    }

    /**
     * Serves four clients at once, several round trips each, and takes a census of the process's
     * threads after every round trip: beside those alive before the server started, exactly one,
     * the server's own, ever appears, and it is gone once the server is closed. The clients run
     * on this thread, so a thread that pipekit's client started would show too.
     */
    private void assertOneServerThreadWhileServing(PipeServer.Builder builder) throws Exception {
        warmUp();
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        PipeServer server = start(builder);
        List<PipeClient> clients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            clients.add(client());
        }
        Set<Thread> appeared = new HashSet<>();
        for (int round = 0; round < 10; round++) {
            for (int i = 0; i < clients.size(); i++) {
                byte[] request = {(byte) round, (byte) i};
                assertArrayEquals(request, clients.get(i).transact(request));
                Set<Thread> now = new HashSet<>(Thread.getAllStackTraces().keySet());
                now.removeAll(before);
                appeared.addAll(now);
            }
        }

        assertEquals(List.of("pipekit-server " + name), names(appeared),
                "threads that appeared while " + clients.size() + " clients were served");
        Thread serverThread = appeared.iterator().next();
        for (PipeClient client : clients) {
            client.close();
        }
        server.close();
        Await.until(TIMEOUT, () -> !serverThread.isAlive(), "the server's thread ends with close()");
    }

    /** Once per JVM, things started lazily on first use (JNA's cleaner, say) are not this server's. */
    private void warmUp() throws Exception {
        try (PipeServer server = PipeServer.builder(name + "-warm-up").transport(transport()).handler((c, r) -> r).start();
                PipeClient client = PipeClient.builder(name + "-warm-up").transport(transport()).connectTimeout(TIMEOUT)
                        .receiveTimeout(TIMEOUT).connect()) {
            client.transact(new byte[] {1});
        }
    }

    private static List<String> names(Set<Thread> threads) {
        return threads.stream().map(Thread::getName).sorted().collect(Collectors.toList());
    }

    // ---- "one log line" per client failure -------------------------------------------------

    @Test
    void aFailingRequestHandlerCostsItsClientOneLogLine() throws Exception {
        assertOneLogLinePerFailure(builder().handler((client, request) -> {
            if (request[0] == 0) {
                throw new IllegalStateException("handler refused the request");
            }
            return request;
        }), client -> client.send(new byte[] {0}));
    }

    @Test
    void aNullAnswerCostsItsClientOneLogLine() throws Exception {
        assertOneLogLinePerFailure(builder().handler((client, request) -> request[0] == 0 ? null : request),
                client -> client.send(new byte[] {0}));
    }

    @Test
    void aFailedAsyncAnswerCostsItsClientOneLogLine() throws Exception {
        assertOneLogLinePerFailure(builder().asyncHandler((client, request) -> request[0] == 0
                ? CompletableFuture.failedFuture(new IllegalStateException("the answer failed"))
                : CompletableFuture.completedFuture(request)), client -> client.send(new byte[] {0}));
    }

    @Test
    void aTooLongRequestCostsItsClientOneLogLine() throws Exception {
        assertOneLogLinePerFailure(builder().maxMessageSize(1000).handler((client, request) -> request),
                client -> client.send(new byte[1001]));
    }

    @Test
    void aFailingConnectionHandlerCostsItsClientOneLogLine() throws Exception {
        assertOneLogLinePerFailure(builder().connectionHandler((connection, message) -> {
            if (message[0] == 0) {
                throw new IllegalStateException("handler refused the message");
            }
            connection.send(message);
        }), client -> client.send(new byte[] {0}));
    }

    @Test
    void aFailingStreamHandlerCostsItsClientOneLogLine() throws Exception {
        assertOneLogLinePerFailure(builder().streamHandler((connection, in, out) -> {
            int first = in.read();
            if (first == 0) {
                throw new IllegalStateException("handler refused the stream");
            }
            out.write(first);
            out.flush();
            byte[] rest = new byte[1];
            while (in.read(rest) > 0) {
                out.write(rest);
                out.flush();
            }
        }), client -> client.send(new byte[] {0}));
    }

    interface Misbehaviour {
        void by(PipeClient client) throws Exception;
    }

    /**
     * One client misbehaves (or its handler fails): it loses its connection, the server logs one
     * line at INFO or above for it (lines below INFO are debugging aids, not counted), and the next
     * client is served.
     */
    private void assertOneLogLinePerFailure(PipeServer.Builder builder, Misbehaviour misbehaviour) throws Exception {
        try (RecordedLog log = new RecordedLog("io.pipekit")) {
            start(builder);
            PipeClient failing = client();
            misbehaviour.by(failing);

            Throwable end = assertThrows(PipeException.class, failing::receive, "the failing client's connection is closed");
            assertInstanceOf(PeerClosedException.class, end, () -> "the failing client saw " + end);
            Await.until(TIMEOUT, () -> linesAtInfoOrAbove(log).size() >= 1, () -> "no log line for the failure:\n" + log.dump());
            PipeClient next = client();
            assertArrayEquals(new byte[] {5}, next.transact(new byte[] {5}), "the next client is served");
            next.close();
            failing.close();

            List<LogRecord> lines = linesAtInfoOrAbove(log);
            assertEquals(1, lines.size(), () -> "one line for one client's failure:\n" + log.dump());
        }
    }

    private static List<LogRecord> linesAtInfoOrAbove(RecordedLog log) {
        return log.records().stream().filter(r -> r.getLevel().intValue() >= Level.INFO.intValue()).toList();
    }

    // ---- the admission refusal's log line ----------------------------------------------------

    @Test
    void aRefusedClientIsOneWarningNamingItsIdentityAndTheName() throws Exception {
        try (RecordedLog log = new RecordedLog("io.pipekit")) {
            start(builder().admission(client -> false).handler((client, request) -> request));

            try (PipeClient refused = PipeClient.builder(name).transport(transport()).connectTimeout(TIMEOUT).receiveTimeout(TIMEOUT)
                    .connect()) {
                assertThrows(PeerClosedException.class, () -> refused.transact(new byte[] {1}));
            } catch (PeerClosedException refusedWhileConnecting) {
                // Windows may end it while it connects (security.md)
            }
            Await.until(TIMEOUT, () -> linesAtInfoOrAbove(log).size() >= 1, () -> "no log line for the refusal:\n" + log.dump());

            List<LogRecord> lines = linesAtInfoOrAbove(log);
            assertEquals(1, lines.size(), log::dump);
            LogRecord line = lines.get(0);
            assertEquals(Level.WARNING, line.getLevel(), log::dump);
            String pid = Long.toString(ProcessHandle.current().pid());
            // The pipe as messages show it: its path on Windows, its name on Unix (never a socket
            // name behind the Windows prefix).
            String shown = transport() == Transport.WINDOWS_NAMED_PIPES ? "\\\\.\\pipe\\" + name : name;
            assertTrue(line.getMessage().matches("refused client \\d+ \\(pid=" + pid + " user=.+\\) on "
                    + java.util.regex.Pattern.quote(shown) + ": the admission check said no"), line.getMessage());
        }
    }

    @Test
    void anAdmissionThatThrowsIsOneErrorLineAndRefusesOnlyThatClient() throws Exception {
        try (RecordedLog log = new RecordedLog("io.pipekit")) {
            boolean[] first = {true};
            start(builder().admission(client -> {
                if (first[0]) {
                    first[0] = false;
                    throw new IllegalStateException("the admission broke");
                }
                return true;
            }).handler((client, request) -> request));

            try (PipeClient refused = PipeClient.builder(name).transport(transport()).connectTimeout(TIMEOUT).receiveTimeout(TIMEOUT)
                    .connect()) {
                assertThrows(PeerClosedException.class, () -> refused.transact(new byte[] {1}));
            } catch (PeerClosedException refusedWhileConnecting) {
                // Windows may end it while it connects (security.md)
            }
            assertArrayEquals(new byte[] {2}, client().transact(new byte[] {2}), "the next client is admitted");

            List<LogRecord> lines = linesAtInfoOrAbove(log);
            assertEquals(1, lines.size(), log::dump);
            assertEquals(Level.SEVERE, lines.get(0).getLevel(), log::dump);
            assertTrue(lines.get(0).getMessage().startsWith("the admission check failed for client "), lines.get(0).getMessage());
            assertInstanceOf(IllegalStateException.class, lines.get(0).getThrown());
        }
    }

    // ---- Connection.runAsClient ---------------------------------------------------------------

    @Test
    void connectionRunAsClientBehavesAsTheTransportAllows() throws Exception {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        start(builder().connectionHandler((connection, message) -> {
            try {
                assertConnectionRunAsClient(connection);
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
            connection.send(message);
        }));

        PipeClient client = PipeClient.builder(name).transport(transport()).allowImpersonation().connectTimeout(TIMEOUT)
                .receiveTimeout(TIMEOUT).connect();
        toClose.add(client);
        assertArrayEquals(new byte[] {1}, client.transact(new byte[] {1}));

        Throwable failure = outcome.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (failure != null) {
            throw new AssertionError(failure);
        }
    }

    /**
     * What {@link Connection#runAsClient}'s javadoc says (issue 25): it may run on any thread, not
     * only the server's, with the impersonation on that thread alone; and once the connection has
     * closed, the client's token is gone.
     */
    @Test
    void connectionRunAsClientRunsOnAnyThreadAndEndsWithTheConnection() throws Exception {
        CompletableFuture<Connection> seen = new CompletableFuture<>();
        PipeServer server = start(builder().connectionHandler(new ConnectionHandler() {
            @Override
            public void connected(Connection connection) {
                seen.complete(connection);
            }

            @Override
            public void messageReceived(Connection connection, byte[] message) {
                connection.send(message);
            }
        }));
        PipeClient client = PipeClient.builder(name).transport(transport()).allowImpersonation().connectTimeout(TIMEOUT)
                .receiveTimeout(TIMEOUT).connect();
        toClose.add(client);
        assertArrayEquals(new byte[] {1}, client.transact(new byte[] {1}));
        Connection connection = seen.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

        assertConnectionRunAsClient(connection); // on this test thread, not the server's

        client.close();
        Await.until(TIMEOUT, () -> server.connections().isEmpty(), () -> "still listed after its client left: " + server.connections());
        assertConnectionRunAsClientAfterItClosed(connection);
    }

    /** Asserts what {@link Connection#runAsClient} does once its connection has closed (the server has unlisted it). */
    abstract void assertConnectionRunAsClientAfterItClosed(Connection connection) throws Exception;
}
