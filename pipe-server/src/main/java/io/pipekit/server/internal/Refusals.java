package io.pipekit.server.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Why a send that completed at once failed, read without waiting. */
public final class Refusals {
    private Refusals() {
    }

    /** The cause {@code failed} completed with; null if it completed normally. It must be done. */
    public static Throwable cause(CompletableFuture<Void> failed) {
        try {
            failed.getNow(null);
            return null;
        } catch (CompletionException e) {
            return e.getCause();
        }
    }
}
