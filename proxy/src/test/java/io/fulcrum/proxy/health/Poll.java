package io.fulcrum.proxy.health;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a deadline, polling every few milliseconds: the tests never sleep a fixed time. */
final class Poll {

    private Poll() {
    }

    /** Returns how long the wait took, in milliseconds. */
    static long until(BooleanSupplier condition, Duration deadline, String what) {
        long start = System.nanoTime();
        long end = start + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                fail("timed out after " + deadline.toMillis() + " ms waiting for " + what);
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for " + what);
            }
        }
        return (System.nanoTime() - start) / 1_000_000;
    }
}
