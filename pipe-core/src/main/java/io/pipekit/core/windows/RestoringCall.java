package io.pipekit.core.windows;

import java.util.concurrent.Callable;

/**
 * Runs work, then puts the thread's security context back, as {@link PipeClientToken#runAs} does,
 * so that neither failure hides the other: the work's own failure is what the caller sees, with a
 * failed restore added as suppressed; but an {@link Error} from the restore (RevertToSelf failed:
 * the thread still runs as the client) wins, carrying the work's failure.
 */
final class RestoringCall {
    private RestoringCall() {
    }

    static <T> T call(Callable<T> work, Runnable restore) throws Exception {
        T result;
        try {
            result = work.call();
        } catch (Throwable workFailed) {
            try {
                restore.run();
            } catch (Error fatal) {
                fatal.addSuppressed(workFailed);
                throw fatal;
            } catch (RuntimeException restoreFailed) {
                workFailed.addSuppressed(restoreFailed);
            }
            throw workFailed;
        }
        restore.run();
        return result;
    }
}
