package io.pipekit.client.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

class DeadlineTest {

    @Test
    void aFractionOfAMillisecondLeftIsAWholeMillisecondToWait() {
        AtomicLong now = new AtomicLong(1_000);
        Deadline deadline = new Deadline(Duration.ofMillis(300), now::get);

        now.addAndGet(299_500_000); // 0.5 ms left: rounding down would say 0 and give up early

        assertFalse(deadline.expired());
        assertEquals(1, deadline.leftMillis());
    }

    @Test
    void theDeadlinePassesExactlyAtItsTimeAndNotANanosecondBefore() {
        AtomicLong now = new AtomicLong(-5); // nanoTime may be negative; only differences count
        Deadline deadline = new Deadline(Duration.ofMillis(2), now::get);

        now.addAndGet(1_999_999);
        assertFalse(deadline.expired());
        assertEquals(1, deadline.leftMillis());

        now.incrementAndGet();
        assertTrue(deadline.expired());
        assertEquals(0, deadline.leftMillis());
    }

    @Test
    void manyShortDeadlinesNeverEndBeforeTheirTime() throws Exception {
        for (int round = 0; round < 200; round++) {
            Duration timeout = Duration.ofNanos(round * 37_000L); // 0 to about 7.4 ms, mostly not whole milliseconds
            long started = System.nanoTime();
            Deadline deadline = Deadline.after(timeout);

            while (!deadline.expired()) {
                deadline.pauseBeforeRetry("connect test");
            }

            long elapsed = System.nanoTime() - started;
            assertTrue(elapsed >= timeout.toNanos(), "a " + timeout.toNanos() + " ns deadline passed after " + elapsed + " ns");
        }
    }

    @Test
    void theObjectFreeFormAgreesWithTheObject() throws Exception {
        long start = System.nanoTime();
        assertEquals(-1, Deadline.leftMillis(start - Long.MAX_VALUE / 2, -1), "no timeout never passes, however long ago it started");
        assertEquals(0, Deadline.leftMillis(start, 0));
        long left = Deadline.leftMillis(start, 60_000);
        assertTrue(left > 59_000 && left <= 60_000, "rounded up, never more than the timeout: " + left);
        long shortStart = System.nanoTime();
        while (Deadline.leftMillis(shortStart, 3) != 0) {
            Thread.onSpinWait();
        }
        assertTrue(System.nanoTime() - shortStart >= 3_000_000, "a 3 ms deadline never passes before 3 ms");
    }

    @Test
    void oneReadingOfTheClockSaysBothWhetherItPassedAndHowLongIsLeft() {
        AtomicLong now = new AtomicLong(0);
        AtomicLong readings = new AtomicLong();
        LongSupplier clock = () -> {
            readings.incrementAndGet();
            return now.get();
        };
        now.set(999_999);
        assertEquals(1, Deadline.leftMillis(clock, 0, 1), "0.000001 ms left: a wait of 1 ms, never 0");
        now.set(1_000_000);
        assertEquals(0, Deadline.leftMillis(clock, 0, 1), "passed: 0, which callers take for passed and never hand a wait");
        assertEquals(2, readings.get(), "each step read the clock once");
    }

    /** Lesser defect: timeoutMillis * 1e6 overflowed, and a very long timeout passed at once. */
    @Test
    void aTimeoutTooLongForNanosecondsSaturatesInsteadOfPassingAtOnce() {
        long start = System.nanoTime();
        long millis = Duration.ofDays(365_000).toMillis();
        long left = Deadline.leftMillis(start, millis);
        // Saturated at what nanoseconds can count, about 292 years: far beyond any wait, and not passed.
        assertTrue(left > Duration.ofDays(365 * 290).toMillis() && left <= millis, "left " + left + " of " + millis);
        assertTrue(Deadline.leftMillis(start, Long.MAX_VALUE) > 0, "Long.MAX_VALUE ms has not passed");
        assertTrue(Deadline.leftMillis(start, Long.MAX_VALUE / 2) > 0, "the longest timeout PipeClient hands down has not passed");

        Deadline object = Deadline.after(Duration.ofDays(365_000));
        assertFalse(object.expired());
        assertTrue(object.leftMillis() > 0);
        assertFalse(Deadline.after(Duration.ofSeconds(Long.MAX_VALUE)).expired(), "a Duration beyond nanoseconds saturates too");
    }
}
