package io.pipekit.server;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.core.PipeType;
import io.pipekit.core.Transport;
import io.pipekit.testing.WindowsOnly;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.function.Executable;

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
        assertTrue(e.getMessage().contains("maxInstances"), e.getMessage());
    }

    /** The cross-field check does not depend on the order the two were set in. */
    @Test
    void moreListeningInstancesThanMaxInstancesIsRefusedWhicheverWasSetFirst() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PipeServer.builder("x").handler((c, r) -> r).listeningInstances(3).maxInstances(2).start());
        assertTrue(e.getMessage().contains("listeningInstances") && e.getMessage().contains("maxInstances"), e.getMessage());
    }

    @Test
    void invalidPipeNameIsRefusedWhenTheBuilderIsMade() {
        assertThrows(IllegalArgumentException.class, () -> PipeServer.builder("bad\\..\\name"));
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

    /** Issue 25: the last handler setter silently won; a second kind now throws, naming both. */
    @Test
    void aSecondKindOfHandlerIsRefusedNamingBoth() {
        Map<String, Consumer<PipeServer.Builder>> setters = new LinkedHashMap<>();
        setters.put("handler", b -> b.handler((c, r) -> r));
        setters.put("asyncHandler", b -> b.asyncHandler((c, r) -> null));
        setters.put("connectionHandler", b -> b.connectionHandler((c, m) -> { }));
        setters.put("streamHandler", b -> b.streamHandler((c, in, out) -> { }));
        for (Map.Entry<String, Consumer<PipeServer.Builder>> first : setters.entrySet()) {
            for (Map.Entry<String, Consumer<PipeServer.Builder>> second : setters.entrySet()) {
                PipeServer.Builder builder = PipeServer.builder("x");
                first.getValue().accept(builder);
                if (first.getKey().equals(second.getKey())) {
                    assertDoesNotThrow(() -> second.getValue().accept(builder), "setting " + first.getKey() + " again replaces it");
                    continue;
                }
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> second.getValue().accept(builder),
                        first.getKey() + " then " + second.getKey());
                assertTrue(e.getMessage().contains(first.getKey() + "(") && e.getMessage().contains(second.getKey() + "("), e.getMessage());
            }
        }
    }

    @Test
    void streamHandlerWithThreadsIsAStreamHandlerToo() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> PipeServer.builder("x").handler((c, r) -> r).streamHandler((c, in, out) -> { }, Thread::new));
        assertTrue(e.getMessage().contains("streamHandler("), e.getMessage());
        assertThrows(NullPointerException.class, () -> PipeServer.builder("x").streamHandler((c, in, out) -> { }, null));
    }

    @Test
    void everyNumberIsCheckedWhenSet() {
        PipeServer.Builder b = PipeServer.builder("x");
        assertRefused("maxInstances", () -> b.maxInstances(0));
        assertRefused("maxInstances", () -> b.maxInstances(256));
        assertRefused("listeningInstances", () -> b.listeningInstances(0));
        assertRefused("listeningInstances", () -> b.listeningInstances(256));
        assertRefused("inBufferSize", () -> b.inBufferSize(0));
        assertRefused("outBufferSize", () -> b.outBufferSize(-1));
        assertRefused("maxMessageSize", () -> b.maxMessageSize(0));
        assertRefused("maxQueuedBytes", () -> b.maxQueuedBytes(0));
        assertDoesNotThrow(() -> b.maxInstances(1).maxInstances(255).listeningInstances(1).listeningInstances(255)
                .inBufferSize(1).outBufferSize(1).maxMessageSize(1).maxQueuedBytes(1));
    }

    @Test
    void nullsAndAnEmptySecurityDescriptorAreRefusedWhenSet() {
        PipeServer.Builder b = PipeServer.builder("x");
        assertThrows(NullPointerException.class, () -> b.handler(null));
        assertThrows(NullPointerException.class, () -> b.asyncHandler(null));
        assertThrows(NullPointerException.class, () -> b.connectionHandler(null));
        assertThrows(NullPointerException.class, () -> b.streamHandler(null));
        assertThrows(NullPointerException.class, () -> b.securityDescriptor(null));
        assertThrows(NullPointerException.class, () -> b.transport(null));
        assertThrows(NullPointerException.class, () -> b.pipeType(null));
        assertThrows(NullPointerException.class, () -> b.admission(null));
        assertRefused("securityDescriptor", () -> b.securityDescriptor(" "));
    }

    /**
     * Issue 25, defect A: a request handler on a byte-type pipe answered whatever one read
     * delivered, while RequestHandler and AsyncRequestHandler promise the whole request. start()
     * refuses the pair before any native call, pointing to what fits a stream.
     */
    @Test
    void requestHandlersOnAByteTypePipeAreRefusedByStart() throws Exception {
        String name = "pipekit-builder-test-" + UUID.randomUUID();
        List<Consumer<PipeServer.Builder>> requestHandlers = List.of(
                b -> b.handler((c, r) -> r), b -> b.asyncHandler((c, r) -> CompletableFuture.completedFuture(r)));
        for (Consumer<PipeServer.Builder> set : requestHandlers) {
            PipeServer.Builder builder = PipeServer.builder(name).pipeType(PipeType.BYTE);
            set.accept(builder);
            IllegalStateException e = assertThrows(IllegalStateException.class, builder::start);
            assertTrue(e.getMessage().contains("FramedRequests") && e.getMessage().contains("streamHandler"), e.getMessage());
        }
        // Nothing was served: the name is free for a server of the kinds that fit a stream.
        try (PipeServer server = PipeServer.builder(name).pipeType(PipeType.BYTE).streamHandler((c, in, out) -> in.transferTo(out)).start()) {
            assertTrue(server.isRunning());
        }
    }

    /** Issue 25, defect E: named pipes off Windows failed late, inside start(), with a wrapped JNA link error. */
    @Test
    @DisabledOnOs(OS.WINDOWS)
    void windowsNamedPipesAreRefusedByTheSetterOffWindows() {
        assertRefused("WINDOWS_NAMED_PIPES", () -> PipeServer.builder("x").transport(Transport.WINDOWS_NAMED_PIPES));
    }

    /**
     * Issue 25, defect E: Unix sockets on Windows were claimed to work, untested, while the
     * selector loop relies on Unix-only calls (SO_PEERCRED, geteuid, POSIX permissions).
     */
    @Test
    @WindowsOnly
    void unixDomainSocketsAreRefusedByTheSetterOnWindows() {
        assertRefused("UNIX_DOMAIN_SOCKETS", () -> PipeServer.builder("x").transport(Transport.UNIX_DOMAIN_SOCKETS));
        assertDoesNotThrow(() -> PipeServer.builder("x").transport(Transport.WINDOWS_NAMED_PIPES));
    }

    private static void assertRefused(String option, Executable setter) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, setter, option);
        assertTrue(e.getMessage().contains(option), e.getMessage());
    }
}
