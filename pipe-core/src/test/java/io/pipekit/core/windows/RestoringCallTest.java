package io.pipekit.core.windows;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * runAsClient's ending (issue 24, lesser defect of PipeClientToken): the thread's context is put
 * back after the work, and a failure to put it back never hides the work's own failure.
 */
class RestoringCallTest {

    @Test
    void theWorksFailureIsThrownWithTheRestoreFailureSuppressed() {
        IOException workFailed = new IOException("the file could not be read as the client");
        IllegalStateException restoreFailed = new IllegalStateException("could not restore the earlier impersonation");

        IOException thrown = assertThrows(IOException.class, () -> RestoringCall.call(() -> {
            throw workFailed;
        }, () -> {
            throw restoreFailed;
        }));

        assertSame(workFailed, thrown);
        assertArrayEquals(new Throwable[] {restoreFailed}, thrown.getSuppressed());
    }

    @Test
    void aFatalRestoreFailureWinsAndCarriesTheWorksFailure() {
        // RevertToSelf failed: the thread still runs as the client, which must not be hidden.
        IOException workFailed = new IOException("work failed");
        InternalError stillTheClient = new InternalError("RevertToSelf failed");

        InternalError thrown = assertThrows(InternalError.class, () -> RestoringCall.call(() -> {
            throw workFailed;
        }, () -> {
            throw stillTheClient;
        }));

        assertSame(stillTheClient, thrown);
        assertArrayEquals(new Throwable[] {workFailed}, thrown.getSuppressed());
    }

    @Test
    void restoresOnceWhetherTheWorkReturnsOrThrows() throws Exception {
        AtomicInteger restored = new AtomicInteger();

        assertEquals("done", RestoringCall.call(() -> "done", restored::incrementAndGet));
        assertThrows(IllegalArgumentException.class, () -> RestoringCall.call(() -> {
            throw new IllegalArgumentException();
        }, restored::incrementAndGet));

        assertEquals(2, restored.get());
    }

    @Test
    void aRestoreFailureAfterWorkThatReturnedIsThrown() {
        IllegalStateException restoreFailed = new IllegalStateException("could not restore");

        assertSame(restoreFailed, assertThrows(IllegalStateException.class, () -> RestoringCall.call(() -> "done", () -> {
            throw restoreFailed;
        })));
    }
}
