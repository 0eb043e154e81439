package io.pipekit.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.client.PipeClient;
import io.pipekit.core.MessageCodecs;
import io.pipekit.core.PipeException;
import io.pipekit.core.windows.NativeAllocations;
import io.pipekit.testing.WindowsOnly;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.ThrowingSupplier;

/** The server's behaviour on Windows named pipes, specified through pipekit's own client. */
@WindowsOnly
class PipeServerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final String name = "pipekit-test-" + UUID.randomUUID();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private PipeServer echoServer(PipeServer.Builder builder) throws PipeException {
        PipeServer server = builder.handler((client, request) -> request).start();
        toClose.add(server);
        return server;
    }

    private PipeClient client() throws PipeException {
        PipeClient client = PipeClient.builder(name).connectTimeout(TIMEOUT).connect();
        toClose.add(client);
        return client;
    }

    @Test
    void serverAnswersEachClientInTurnOnOneThread() throws Exception {
        List<String> handlerThreads = new ArrayList<>();
        PipeServer server = PipeServer.builder(name)
                .handler(RequestHandler.using(MessageCodecs.tcharText(), (client, request) -> {
                    handlerThreads.add(Thread.currentThread().getName());
                    return "answer to " + request;
                }))
                .start();
        toClose.add(server);
        PipeClient a = client();
        PipeClient b = client();
        PipeClient c = client();

        for (int round = 0; round < 3; round++) {
            for (PipeClient each : List.of(c, a, b)) {
                String request = "round " + round + " from " + (each == a ? "a" : each == b ? "b" : "c");
                assertEquals("answer to " + request, each.transact(MessageCodecs.tcharText(), request));
            }
        }
        assertEquals(9, handlerThreads.size());
        assertTrue(handlerThreads.stream().allMatch(t -> t.equals("pipekit-server " + name)), handlerThreads.toString());
    }

    @Test
    void oneMebibyteMessageCrossesFourKibibyteBuffersWholeInBothDirections() throws Exception {
        echoServer(PipeServer.builder(name).inBufferSize(4096).outBufferSize(4096));
        byte[] big = new byte[1024 * 1024];
        new Random(42).nextBytes(big);
        PipeClient client = client();

        client.send(big);
        assertArrayEquals(big, client.receive());
        assertArrayEquals(big, client.transact(big));
        assertArrayEquals("small after big".getBytes(UTF_8), client.transact("small after big".getBytes(UTF_8)));
    }

    @Test
    void clientVanishingMidConversationCostsOnlyItsOwnConnection() throws Exception {
        echoServer(PipeServer.builder(name));
        PipeClient steady = client();
        PipeClient leaving = PipeClient.builder(name).connectTimeout(TIMEOUT).connect();

        leaving.send(new byte[100_000]); // the server is still writing the echo back when it goes
        leaving.close();

        for (int i = 0; i < 20; i++) {
            byte[] request = ("still here " + i).getBytes(UTF_8);
            assertArrayEquals(request, steady.transact(request));
        }
    }

    @Test
    void handlerThatThrowsCostsOnlyThatClientItsConnection() throws Exception {
        PipeServer server = PipeServer.builder(name)
                .handler(RequestHandler.using(MessageCodecs.utf8(), (client, request) -> {
                    if (request.equals("boom")) {
                        throw new IllegalStateException("the handler refuses boom");
                    }
                    return request.toUpperCase();
                }))
                .start();
        toClose.add(server);
        PipeClient victim = client();
        PipeClient bystander = client();

        PipeException e = assertThrows(PipeException.class, () -> victim.transact(MessageCodecs.utf8(), "boom"));
        assertTrue(e.code() == PipeException.ERROR_BROKEN_PIPE || e.code() == PipeException.ERROR_PIPE_NOT_CONNECTED, e.getMessage());
        assertEquals("FINE", bystander.transact(MessageCodecs.utf8(), "fine"));
        assertTrue(server.isRunning());
    }

    @Test
    void messageOverTheLimitCostsItsClientTheConnectionAndNothingElse() throws Exception {
        echoServer(PipeServer.builder(name).maxMessageSize(10_000).inBufferSize(1024));
        PipeClient greedy = client();
        PipeClient modest = client();

        assertThrows(PipeException.class, () -> greedy.transact(new byte[10_001]));
        assertArrayEquals(new byte[10_000], modest.transact(new byte[10_000]));
    }

    @Test
    void secondServerOnTheSameNameIsRefused() throws Exception {
        echoServer(PipeServer.builder(name));

        PipeException e = assertThrows(PipeException.class, () -> PipeServer.builder(name).handler((c, r) -> r).start());

        assertEquals(PipeException.ERROR_ACCESS_DENIED, e.code(), e.getMessage());
        assertTrue(e.getMessage().contains("already served"), e.getMessage());
    }

    @Test
    void burstOfThirtyTwoClientsConnectingAtOnceIsAllServed() throws Exception {
        echoServer(PipeServer.builder(name));
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                String request = "client " + i;
                answers.add(pool.submit(() -> {
                    go.await();
                    try (PipeClient client = PipeClient.builder(name).connectTimeout(TIMEOUT).connect()) {
                        return client.transact(MessageCodecs.utf8(), request);
                    }
                }));
            }
            go.countDown();
            for (int i = 0; i < 32; i++) {
                assertEquals("client " + i, answers.get(i).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void slowAsynchronousAnswerDoesNotStallOtherClients() throws Exception {
        CompletableFuture<byte[]> slowAnswer = new CompletableFuture<>();
        PipeServer server = PipeServer.builder(name)
                .asyncHandler((client, request) -> new String(request, UTF_8).equals("slow")
                        ? slowAnswer
                        : CompletableFuture.supplyAsync(() -> request))
                .start();
        toClose.add(server);
        PipeClient slow = client();
        PipeClient quick = client();

        slow.send("slow".getBytes(UTF_8));
        for (int i = 0; i < 5; i++) {
            byte[] request = ("quick " + i).getBytes(UTF_8);
            assertArrayEquals(request, quick.transact(request));
        }
        slowAnswer.complete("finally".getBytes(UTF_8)); // completed on this thread: the server must hop back to its own
        assertEquals("finally", new String(assertTimeoutPreemptively(TIMEOUT, (ThrowingSupplier<byte[]>) slow::receive), UTF_8));
    }

    @Test
    void handlerIsToldTheClientProcessId() throws Exception {
        ConcurrentLinkedQueue<ClientInfo> seen = new ConcurrentLinkedQueue<>();
        PipeServer server = PipeServer.builder(name).handler((client, request) -> {
            seen.add(client);
            return request;
        }).start();
        toClose.add(server);

        client().transact(new byte[] {1});

        assertEquals(ProcessHandle.current().pid(), seen.peek().processId());
    }

    @Test
    void closeWithClientsConnectedFreesEveryHandleAndNativeBlock() throws Exception {
        long liveBefore = NativeAllocations.liveCount();
        int handlesBefore = ProcessHandles.count();
        PipeServer server = PipeServer.builder(name).handler((client, request) -> request).start();
        PipeClient idle = PipeClient.builder(name).connectTimeout(TIMEOUT).connect();
        PipeClient waiting = PipeClient.builder(name).connectTimeout(TIMEOUT).connect();
        waiting.transact(new byte[] {1, 2, 3});
        idle.close();

        assertTimeoutPreemptively(TIMEOUT, () -> server.close());

        assertTrue(!server.isRunning());
        assertThrows(PipeException.class, waiting::receive, "the server disconnected its clients");
        waiting.close();
        assertEquals(liveBefore, NativeAllocations.liveCount(), "native blocks still allocated after close");
        assertEquals(handlesBefore, ProcessHandles.count(), "process handles still open after close");
    }

    @Test
    void steadyStateServingAllocatesNoNativeMemoryPerMessage() throws Exception {
        echoServer(PipeServer.builder(name));
        PipeClient client = client();
        byte[] request = new byte[2000];
        for (int i = 0; i < 50; i++) {
            client.transact(request); // warm up: buffers reach their working size
        }
        long allocatedBefore = NativeAllocations.allocatedCount();

        for (int i = 0; i < 500; i++) {
            client.transact(request);
            client.send(request);
            client.receive();
        }

        assertEquals(allocatedBefore, NativeAllocations.allocatedCount(), "native blocks allocated while serving 1000 messages");
    }

    @Test
    void handlerMayCloseTheServerFromTheServerThreadItself() throws Exception {
        PipeServer[] self = new PipeServer[1];
        self[0] = PipeServer.builder(name).handler((client, request) -> {
            self[0].close();
            return request;
        }).start();
        toClose.add(self[0]);

        PipeClient client = client();
        client.send(new byte[] {7});

        assertTimeoutPreemptively(TIMEOUT, () -> self[0].awaitTermination());
        assertThrows(PipeException.class, client::receive, "the server disconnected its client as it stopped");
    }

    @Test
    void pipeCarriesTheDefaultCurrentUserOnlyDescriptor() throws Exception {
        echoServer(PipeServer.builder(name));

        String dacl = PipeDacl.of("\\\\.\\pipe\\" + name);

        assertEquals(io.pipekit.core.windows.PipeSecurity.currentUserOnlySddl(), dacl);
    }

    @Test
    void pipeCarriesTheSecurityDescriptorTheCallerGives() throws Exception {
        String everyoneReadWrite = "D:P(A;;FA;;;OW)(A;;FRFW;;;WD)";
        echoServer(PipeServer.builder(name).securityDescriptor(everyoneReadWrite));

        String dacl = PipeDacl.of("\\\\.\\pipe\\" + name);

        assertTrue(dacl.contains("WD"), "everyone (WD) missing from " + dacl);
    }

    @Test
    void invalidSecurityDescriptorIsAClearStartError() {
        PipeException e = assertThrows(PipeException.class,
                () -> PipeServer.builder(name).securityDescriptor("not sddl").handler((c, r) -> r).start());

        assertTrue(e.getMessage().contains("not a valid SDDL"), e.getMessage());
    }
}
