package io.pipekit.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a state rather than sleeping for "it is there by now": polls until it holds, or fails. */
public final class Await {
    private Await() {
    }

    /** Returns once {@code condition} holds; fails naming {@code what} if it does not within {@code timeout}. */
    public static void until(Duration timeout, BooleanSupplier condition, String what) throws InterruptedException {
        until(timeout, condition, () -> what);
    }

    /** As {@link #until(Duration, BooleanSupplier, String)}, with {@code what} worked out only on failure. */
    public static void until(Duration timeout, BooleanSupplier condition, Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + timeout + ": " + what.get());
            }
            Thread.sleep(10);
        }
    }
}
