package io.pipekit.examples;

import io.pipekit.client.PipeClient;
import io.pipekit.core.PipeException;
import io.pipekit.core.PipeType;
import io.pipekit.core.ReadMode;
import io.pipekit.server.PipeServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.lsp4j.Diagnostic;
import org.eclipse.lsp4j.DiagnosticSeverity;
import org.eclipse.lsp4j.DidChangeConfigurationParams;
import org.eclipse.lsp4j.DidChangeTextDocumentParams;
import org.eclipse.lsp4j.DidChangeWatchedFilesParams;
import org.eclipse.lsp4j.DidCloseTextDocumentParams;
import org.eclipse.lsp4j.DidOpenTextDocumentParams;
import org.eclipse.lsp4j.DidSaveTextDocumentParams;
import org.eclipse.lsp4j.Hover;
import org.eclipse.lsp4j.HoverParams;
import org.eclipse.lsp4j.InitializeParams;
import org.eclipse.lsp4j.InitializeResult;
import org.eclipse.lsp4j.InitializedParams;
import org.eclipse.lsp4j.MarkupContent;
import org.eclipse.lsp4j.MessageParams;
import org.eclipse.lsp4j.MessageType;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.PublishDiagnosticsParams;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.ServerCapabilities;
import org.eclipse.lsp4j.TextDocumentSyncKind;
import org.eclipse.lsp4j.jsonrpc.Launcher;
import org.eclipse.lsp4j.launch.LSPLauncher;
import org.eclipse.lsp4j.services.LanguageClient;
import org.eclipse.lsp4j.services.LanguageClientAware;
import org.eclipse.lsp4j.services.LanguageServer;
import org.eclipse.lsp4j.services.TextDocumentService;
import org.eclipse.lsp4j.services.WorkspaceService;

/**
 * A language server over a pipe, the way editors talk to them on Windows: JSON-RPC with LSP's
 * {@code Content-Length} headers on a byte-type pipe, spoken by Eclipse LSP4J (nobody here wrote
 * it) through pipekit's {@code StreamHandler}. It answers hovers with how often the word under the
 * cursor occurs, and pushes diagnostics (every {@code TODO}) from a worker thread of its own while
 * LSP4J answers requests on another: both write to the one connection.
 *
 * <p>Run: {@code WordLanguageServer <name>} serves until stopped.
 */
public final class WordLanguageServer implements LanguageServer, LanguageClientAware {
    private static final Pattern WORD = Pattern.compile("\\w+");
    private static final Pattern TODO = Pattern.compile("TODO");

    private final Map<String, String> documents = new ConcurrentHashMap<>();
    private final ExecutorService diagnostics = Executors.newSingleThreadExecutor();
    private final Runnable exit;
    private volatile LanguageClient client;

    private WordLanguageServer(Runnable exit) {
        this.exit = exit;
    }

    /** Serves {@code name}: each connection is one editor session, on a thread of its own. */
    public static PipeServer serve(String name) throws PipeException {
        return PipeServer.builder(name)
                .pipeType(PipeType.BYTE) // LSP frames its messages itself
                .streamHandler((connection, in, out) -> {
                    WordLanguageServer server = new WordLanguageServer(connection::close);
                    Launcher<LanguageClient> launcher = LSPLauncher.createServerLauncher(server, in, out);
                    server.connect(launcher.getRemoteProxy());
                    try {
                        launcher.startListening().get(); // until the editor closes its end, or says exit
                    } finally {
                        server.diagnostics.shutdownNow();
                    }
                })
                .start();
    }

    /**
     * An editor's session: the server's proxy, and what completes when the server ends it. LSP4J's
     * listener thread is the pipe's one reader from then on.
     */
    public record EditorSession(LanguageServer server, Future<Void> ended) {
    }

    /** Connects an editor ({@code editor} hears the server's pushes). */
    public static EditorSession connect(PipeClient pipe, LanguageClient editor) {
        Launcher<LanguageServer> launcher = LSPLauncher.createClientLauncher(editor, pipe.inputStream(), pipe.outputStream());
        Future<Void> ended = launcher.startListening();
        return new EditorSession(launcher.getRemoteProxy(), ended);
    }

    /** Opens a client of {@code name} that reads the byte-type pipe as bytes on both transports. */
    public static PipeClient open(String name) throws PipeException {
        return PipeClient.builder(name).readMode(ReadMode.BYTE).connect();
    }

    @Override
    public void connect(LanguageClient client) {
        this.client = client;
    }

    @Override
    public CompletableFuture<InitializeResult> initialize(InitializeParams params) {
        ServerCapabilities capabilities = new ServerCapabilities();
        capabilities.setTextDocumentSync(TextDocumentSyncKind.Full);
        capabilities.setHoverProvider(true);
        return CompletableFuture.completedFuture(new InitializeResult(capabilities));
    }

    @Override
    public void initialized(InitializedParams params) {
        client.logMessage(new MessageParams(MessageType.Info, "word server ready"));
    }

    @Override
    public CompletableFuture<Object> shutdown() {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void exit() {
        exit.run();
    }

    @Override
    public TextDocumentService getTextDocumentService() {
        return new TextDocumentService() {
            @Override
            public void didOpen(DidOpenTextDocumentParams params) {
                changed(params.getTextDocument().getUri(), params.getTextDocument().getText());
            }

            @Override
            public void didChange(DidChangeTextDocumentParams params) {
                changed(params.getTextDocument().getUri(), params.getContentChanges().get(0).getText());
            }

            @Override
            public void didClose(DidCloseTextDocumentParams params) {
                documents.remove(params.getTextDocument().getUri());
            }

            @Override
            public void didSave(DidSaveTextDocumentParams params) {
            }

            @Override
            public CompletableFuture<Hover> hover(HoverParams params) {
                String text = documents.getOrDefault(params.getTextDocument().getUri(), "");
                String word = wordAt(text, params.getPosition());
                if (word == null) {
                    return CompletableFuture.completedFuture(null);
                }
                long count = WORD.matcher(text).results().filter(m -> m.group().equals(word)).count();
                return CompletableFuture.completedFuture(new Hover(new MarkupContent("plaintext", word + ": " + count + " times")));
            }
        };
    }

    @Override
    public WorkspaceService getWorkspaceService() {
        return new WorkspaceService() {
            @Override
            public void didChangeConfiguration(DidChangeConfigurationParams params) {
            }

            @Override
            public void didChangeWatchedFiles(DidChangeWatchedFilesParams params) {
            }
        };
    }

    private void changed(String uri, String text) {
        documents.put(uri, text);
        // Pushed from a thread of the server's own, while LSP4J may be answering a request.
        diagnostics.execute(() -> client.publishDiagnostics(new PublishDiagnosticsParams(uri, todos(text))));
    }

    private static List<Diagnostic> todos(String text) {
        List<Diagnostic> found = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int line = 0; line < lines.length; line++) {
            Matcher todo = TODO.matcher(lines[line]);
            while (todo.find()) {
                Range range = new Range(new Position(line, todo.start()), new Position(line, todo.end()));
                found.add(new Diagnostic(range, "a TODO is left", DiagnosticSeverity.Information, "words"));
            }
        }
        return found;
    }

    private static String wordAt(String text, Position position) {
        String[] lines = text.split("\n", -1);
        if (position.getLine() >= lines.length) {
            return null;
        }
        Matcher word = WORD.matcher(lines[position.getLine()]);
        while (word.find()) {
            if (word.start() <= position.getCharacter() && position.getCharacter() < word.end()) {
                return word.group();
            }
        }
        return null;
    }

    public static void main(String[] args) throws Exception {
        try (PipeServer server = serve(args[0])) {
            System.out.println("language server on " + server.endpoint());
            server.awaitTermination();
        }
    }
}
