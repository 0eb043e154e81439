package io.pipekit.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pipekit.client.PipeClient;
import io.pipekit.core.PipeException;
import io.pipekit.core.Transport;
import io.pipekit.core.windows.NativeAllocations;
import io.pipekit.core.windows.PipeSecurity;
import io.pipekit.testing.WindowsOnly;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/** What only Windows named pipes do: Win32 error codes, client process ids, DACLs, native memory. */
@WindowsOnly
class WindowsPipeServerTest extends PipeBehaviourSpec {

    @Override
    Transport transport() {
        return Transport.WINDOWS_NAMED_PIPES;
    }

    @Override
    long openResources() {
        return ProcessHandles.count() + NativeAllocations.liveCount();
    }

    @Override
    String resourceKind() {
        return "process handles plus live native blocks";
    }

    @Test
    void secondServerIsRefusedWithAccessDenied() throws Exception {
        echoServer(builder());

        PipeException e = assertThrows(PipeException.class, () -> builder().handler((c, r) -> r).start());

        assertEquals(PipeException.ERROR_ACCESS_DENIED, e.code(), e.getMessage());
    }

    @Test
    void handlerIsToldTheClientProcessId() throws Exception {
        ConcurrentLinkedQueue<ClientInfo> seen = new ConcurrentLinkedQueue<>();
        PipeServer server = builder().handler((client, request) -> {
            seen.add(client);
            return request;
        }).start();
        closeLater(server);

        client().transact(new byte[] {1});

        assertEquals(ProcessHandle.current().pid(), seen.peek().processId());
    }

    @Test
    void steadyStateServingAllocatesNoNativeMemoryPerMessage() throws Exception {
        echoServer(builder());
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
    void pipeCarriesTheDefaultCurrentUserOnlyDescriptor() throws Exception {
        echoServer(builder());

        String dacl = PipeDacl.of("\\\\.\\pipe\\" + name);

        assertEquals(PipeSecurity.currentUserOnlySddl(), dacl);
    }

    @Test
    void pipeCarriesTheSecurityDescriptorTheCallerGives() throws Exception {
        String everyoneReadWrite = "D:P(A;;FA;;;OW)(A;;FRFW;;;WD)";
        echoServer(builder().securityDescriptor(everyoneReadWrite));

        String dacl = PipeDacl.of("\\\\.\\pipe\\" + name);

        assertTrue(dacl.contains("WD"), "everyone (WD) missing from " + dacl);
    }

    @Test
    void invalidSecurityDescriptorIsAClearStartError() {
        PipeException e = assertThrows(PipeException.class,
                () -> builder().securityDescriptor("not sddl").handler((c, r) -> r).start());

        assertTrue(e.getMessage().contains("not a valid SDDL"), e.getMessage());
    }
}
