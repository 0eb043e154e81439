package io.pipekit.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.client.PipeClient;
import io.pipekit.core.MessageCodecs;
import io.pipekit.core.PeerClosedException;
import io.pipekit.core.PeerIdentity;
import io.pipekit.core.UntrustedServerException;
import io.pipekit.server.Admission;
import io.pipekit.server.PipeServer;
import io.pipekit.testing.WindowsOnly;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.lsp4j.DidOpenTextDocumentParams;
import org.eclipse.lsp4j.Hover;
import org.eclipse.lsp4j.HoverParams;
import org.eclipse.lsp4j.InitializeParams;
import org.eclipse.lsp4j.InitializeResult;
import org.eclipse.lsp4j.InitializedParams;
import org.eclipse.lsp4j.MessageActionItem;
import org.eclipse.lsp4j.MessageParams;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.PublishDiagnosticsParams;
import org.eclipse.lsp4j.ShowMessageRequestParams;
import org.eclipse.lsp4j.TextDocumentIdentifier;
import org.eclipse.lsp4j.TextDocumentItem;
import org.eclipse.lsp4j.services.LanguageClient;
import org.eclipse.lsp4j.services.LanguageServer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The showcase, run: each example of {@link io.pipekit.examples} does its task, on this
 * platform's transport here and, through the {@value WindowsOnly#TAG} tag, on named pipes under Wine.
 */
@Tag(WindowsOnly.TAG)
class ShowcaseTest {
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private static String uniqueName(String example) {
        return "pipekit-showcase-" + example + "-" + UUID.randomUUID();
    }

    @Test
    void theEchoServerAnswersEachMessageWithItself() throws Exception {
        String name = uniqueName("echo");
        try (PipeServer server = EchoServer.serve(name)) {
            assertEquals("hello, pipe", EchoServer.ask(name, "hello, pipe"));
            assertEquals("olá, ñandú ✓", EchoServer.ask(name, "olá, ñandú ✓"));
        }
    }

    @Test
    void theTickerPushesTicksInOrderAndKeepsAClientThatSpeaks() throws Exception {
        String name = uniqueName("ticker");
        try (TickerServer ticker = TickerServer.start(name, Duration.ofMillis(20), Duration.ofMillis(400));
                PipeClient client = PipeClient.connect(name)) {
            long previous = 0;
            // 50 ticks of 20 ms: well past the idle timeout, which the replies keep at bay.
            for (int i = 0; i < 50; i++) {
                String tick = client.receive(MessageCodecs.utf8(), PATIENCE);
                long n = Long.parseLong(tick.substring("tick ".length()));
                assertTrue(n > previous, "tick " + n + " after tick " + previous);
                previous = n;
                client.send(MessageCodecs.utf8(), "still here");
            }
            assertTrue(client.isOpen());
        }
    }

    @Test
    void theTickerClosesAClientThatSaysNothingForTheIdleTimeout() throws Exception {
        String name = uniqueName("ticker-idle");
        try (TickerServer ticker = TickerServer.start(name, Duration.ofMillis(20), Duration.ofMillis(300));
                PipeClient silent = PipeClient.connect(name)) {
            assertTrue(silent.receive(MessageCodecs.utf8(), PATIENCE).startsWith("tick "));
            PeerClosedException closed = assertTimeoutPreemptively(PATIENCE, () -> assertThrows(PeerClosedException.class, () -> {
                while (true) {
                    silent.receive(MessageCodecs.utf8(), PATIENCE); // ticks, until the server gives up on it
                }
            }));
            assertNotNull(closed.getMessage());
        }
    }

    @Test
    void theLanguageServerSpeaksLspThroughLsp4jOnBothEnds() throws Exception {
        String name = uniqueName("lsp");
        Editor editor = new Editor();
        try (PipeServer server = WordLanguageServer.serve(name);
                PipeClient pipe = WordLanguageServer.open(name)) {
            WordLanguageServer.EditorSession session = WordLanguageServer.connect(pipe, editor);
            LanguageServer words = session.server();
            InitializeResult init = words.initialize(new InitializeParams()).get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertTrue(init.getCapabilities().getHoverProvider().getLeft(), "the server offers hovers");
            words.initialized(new InitializedParams());
            assertEquals("word server ready", editor.logged.poll(PATIENCE.toSeconds(), TimeUnit.SECONDS).getMessage());

            String uri = "file:///notes.txt";
            words.getTextDocumentService().didOpen(new DidOpenTextDocumentParams(
                    new TextDocumentItem(uri, "plaintext", 1, "alpha beta alpha\nTODO gamma")));
            PublishDiagnosticsParams pushed = editor.diagnostics.poll(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertNotNull(pushed, "the server pushed the document's diagnostics");
            assertEquals(uri, pushed.getUri());
            assertEquals(1, pushed.getDiagnostics().size());
            assertEquals(new Position(1, 0), pushed.getDiagnostics().get(0).getRange().getStart());

            Hover hover = words.getTextDocumentService()
                    .hover(new HoverParams(new TextDocumentIdentifier(uri), new Position(0, 2)))
                    .get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertEquals("alpha: 2 times", hover.getContents().getRight().getValue());

            words.shutdown().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            words.exit();
            // exit closes the connection: LSP4J's listener, the pipe's one reader, reaches its end.
            session.ended().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @Test
    void theFileSizeServerAnswersItsOwnUserAndRefusesAnyOther() throws Exception {
        String name = uniqueName("sizes");
        Path file = Files.createTempFile("pipekit-showcase", ".txt");
        try (PipeServer server = FileSizeServer.serve(name)) {
            Files.writeString(file, "twelve bytes");
            assertEquals(12, FileSizeServer.sizeOf(name, file));
        } finally {
            Files.delete(file);
        }
        // No second user exists here to connect as: the admission the server uses is asked directly.
        PeerIdentity me = PeerIdentity.currentProcess();
        PeerIdentity someoneElse = me.sid().isPresent()
                ? PeerIdentity.windowsBuilder().processId(4242).sessionId(1).sid("S-1-5-21-1-2-3-1001", PeerIdentity.Source.TOKEN)
                        .user("OTHER\\someone").elevation(PeerIdentity.Elevation.NO).integrityLevel(PeerIdentity.IntegrityLevel.MEDIUM)
                        .build()
                : PeerIdentity.unixBuilder().processId(4242).uid(me.uid().getAsLong() + 1).gid(me.gid().getAsLong()).user("someone").build();
        assertTrue(Admission.sameUser().admits(me), "its own user is served");
        assertFalse(Admission.sameUser().admits(someoneElse), "another user is refused");
    }

    @Test
    void theSystemServiceClientRefusesAServerOfAnyOtherUser() throws Exception {
        String name = uniqueName("system");
        try (PipeServer sameUser = EchoServer.serve(name)) {
            PeerIdentity me = PeerIdentity.currentProcess();
            boolean iAmTheSystem = me.sid().map("S-1-5-18"::equals).orElse(me.uid().orElse(-1) == 0);
            if (iAmTheSystem) {
                // root here (CI containers run as root): this server does run as the system.
                assertEquals("ping", SystemServiceClient.ask(name, "ping"));
            } else {
                UntrustedServerException refused = assertThrows(UntrustedServerException.class,
                        () -> SystemServiceClient.ask(name, "ping"));
                assertTrue(refused.getMessage().contains(me.user().orElse("")), refused.getMessage());
            }
        }
    }

    /** An editor's side of LSP: keeps what the server pushes. */
    private static final class Editor implements LanguageClient {
        final BlockingQueue<MessageParams> logged = new LinkedBlockingQueue<>();
        final BlockingQueue<PublishDiagnosticsParams> diagnostics = new LinkedBlockingQueue<>();

        @Override
        public void logMessage(MessageParams message) {
            logged.add(message);
        }

        @Override
        public void publishDiagnostics(PublishDiagnosticsParams pushed) {
            diagnostics.add(pushed);
        }

        @Override
        public void telemetryEvent(Object object) {
        }

        @Override
        public void showMessage(MessageParams message) {
        }

        @Override
        public CompletableFuture<MessageActionItem> showMessageRequest(ShowMessageRequestParams request) {
            return CompletableFuture.completedFuture(null);
        }
    }
}
