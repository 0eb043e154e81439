package io.pipekit.client.internal;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One reader and one writer per connection, on both transports: a call takes its role for as
 * long as it runs, and a second thread asking for a role already taken is refused at once. On
 * Windows two writers would share the writer's OVERLAPPED and buffer (the second would zero and
 * overwrite what a pending WriteFile still reads); on Unix their bytes would interleave.
 */
public final class CallerRoles {
    private CallerRoles() {
    }

    /**
     * Makes the calling thread the holder of {@code role} ({@code "reader"} or {@code "writer"},
     * for the message) until it sets {@code side} back to false.
     *
     * @throws IllegalStateException if another thread holds it
     */
    public static void claim(AtomicBoolean side, String operation, String role) {
        if (!side.compareAndSet(false, true)) {
            throw new IllegalStateException(operation + ": another thread is already in a call as this connection's " + role
                    + "; one reader and one writer at a time");
        }
    }
}
