package io.pipekit.core.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.jna.Pointer;
import com.sun.jna.platform.win32.WinNT.HANDLE;
import io.pipekit.core.PeerIdentity.Elevation;
import io.pipekit.core.PeerIdentity.IntegrityLevel;
import io.pipekit.core.PipeException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Reading a client's token while impersonating it (issue 24, defect 9): what is read, from
 * which handle, and that RevertToSelf runs on every path, the failing ones included. The Win32
 * calls are behind {@link ClientTokenRead.Steps}, so each can be made to fail midway; the real
 * calls are checked under Wine and on Windows by IdentityBehaviourSpec.
 */
class ClientTokenReadTest {
    private static final Tokens.Facts ALICE = new Tokens.Facts("S-1-5-21-1-2-3-1001", "HOST\\alice", Elevation.NO, IntegrityLevel.MEDIUM);
    private static final HANDLE OPENED = new HANDLE(Pointer.createConstant(0x44));

    /** Records the calls; each step does what the test sets. */
    private static class FakeSteps implements ClientTokenRead.Steps {
        final List<String> calls = new ArrayList<>();
        boolean impersonates = true;
        RuntimeException readThrows;
        PipeException readFails;
        HANDLE opensAsSelf = OPENED;
        HANDLE opensAsClient = null;

        @Override
        public boolean impersonate() {
            calls.add("impersonate");
            return impersonates;
        }

        @Override
        public Tokens.Facts readEffectiveToken() throws PipeException {
            calls.add("read effective");
            if (readThrows != null) {
                throw readThrows;
            }
            if (readFails != null) {
                throw readFails;
            }
            return ALICE;
        }

        @Override
        public HANDLE openThreadToken(boolean asSelf) {
            calls.add(asSelf ? "open as self" : "open as client");
            return asSelf ? opensAsSelf : opensAsClient;
        }

        @Override
        public void revert() {
            calls.add("revert");
        }

        @Override
        public void close(HANDLE token) {
            calls.add("close");
        }
    }

    @Test
    void readsTheEffectiveTokenAndKeepsAHandleForRunAs() {
        FakeSteps steps = new FakeSteps();

        ClientTokenRead.Result read = ClientTokenRead.read(steps);

        assertEquals(ALICE, read.facts());
        assertSame(OPENED, read.token());
        assertEquals(List.of("impersonate", "read effective", "open as self", "revert"), steps.calls);
    }

    @Test
    void aServerWhoseProcessTokenFailsTheClientTokensDaclStillKnowsTheClient() {
        // A service account (NT SERVICE\X) may not open the client's token as itself; the facts
        // come from the effective-token pseudo-handle, which needs no access check.
        FakeSteps steps = new FakeSteps();
        steps.opensAsSelf = null;

        ClientTokenRead.Result read = ClientTokenRead.read(steps);

        assertEquals(ALICE, read.facts(), "the identity is known, not sid=unknown");
        assertNull(read.token(), "runAs then refuses");
        assertEquals(List.of("impersonate", "read effective", "open as self", "open as client", "revert"), steps.calls);
    }

    @Test
    void aClientThatAllowsImpersonationIsOpenedInItsOwnContextWhenTheServersIsRefused() {
        FakeSteps steps = new FakeSteps();
        steps.opensAsSelf = null;
        steps.opensAsClient = OPENED;

        assertSame(OPENED, ClientTokenRead.read(steps).token());
    }

    @Test
    void revertsWhenReadingThrowsMidway() {
        FakeSteps steps = new FakeSteps();
        steps.readThrows = new IllegalStateException("a JNA structure could not be read");

        ClientTokenRead.Result read = ClientTokenRead.read(steps);

        assertNull(read.facts());
        assertNull(read.token());
        assertEquals(List.of("impersonate", "read effective", "revert"), steps.calls);
    }

    @Test
    void revertsWhenReadingFailsMidway() {
        FakeSteps steps = new FakeSteps();
        steps.readFails = new io.pipekit.core.PipeAccessDeniedException("GetTokenInformation(TokenUser)", 5, "access denied");

        ClientTokenRead.Result read = ClientTokenRead.read(steps);

        assertNull(read.facts());
        assertEquals(List.of("impersonate", "read effective", "revert"), steps.calls);
    }

    @Test
    void revertsAndClosesWhatItOpenedWhenAnErrorEscapes() {
        FakeSteps steps = new FakeSteps() {
            @Override
            public HANDLE openThreadToken(boolean asSelf) {
                calls.add("open as self");
                throw new OutOfMemoryError("while opening");
            }
        };

        assertThrows(OutOfMemoryError.class, () -> ClientTokenRead.read(steps));
        assertEquals(List.of("impersonate", "read effective", "open as self", "revert"), steps.calls);
    }

    @Test
    void aClientThatCannotBeImpersonatedIsUnknownAndNothingIsReverted() {
        FakeSteps steps = new FakeSteps();
        steps.impersonates = false;

        ClientTokenRead.Result read = ClientTokenRead.read(steps);

        assertNull(read.facts());
        assertEquals(List.of("impersonate"), steps.calls);
    }
}
