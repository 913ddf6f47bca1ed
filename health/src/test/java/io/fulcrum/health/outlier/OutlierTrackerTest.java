package io.fulcrum.health.outlier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class OutlierTrackerTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final OutlierSettings settings = new OutlierSettings(3, Duration.ofSeconds(10), Duration.ofSeconds(25));
    private final OutlierTracker tracker = new OutlierTracker(settings, now::get);

    private Optional<Duration> fail(int times) {
        Optional<Duration> last = Optional.empty();
        for (int i = 0; i < times; i++) {
            last = tracker.recordFailure();
        }
        return last;
    }

    @Test
    void thresholdEjectsOnTheNthConsecutiveFailureOnly() {
        assertEquals(Optional.empty(), fail(2));
        assertEquals(Optional.of(Duration.ofSeconds(10)), tracker.recordFailure(), "3rd failure: base × 1");
        assertTrue(tracker.isEjected());
        assertEquals(Optional.empty(), fail(5), "failures while ejected do not eject again");
    }

    @Test
    void aSuccessBreaksTheRun() {
        fail(2);
        tracker.recordSuccess();
        assertEquals(Optional.empty(), fail(2));
        assertEquals(2, tracker.consecutiveFailures());
    }

    @Test
    void ejectionTimeGrowsWithRepeatsAndIsCapped() {
        assertEquals(Optional.of(Duration.ofSeconds(10)), fail(3));
        now.addAndGet(Duration.ofSeconds(10).toNanos()); // ejection over, re-offends at once
        assertEquals(Optional.of(Duration.ofSeconds(20)), fail(3), "second ejection: base × 2");
        now.addAndGet(Duration.ofSeconds(20).toNanos());
        assertEquals(Optional.of(Duration.ofSeconds(25)), fail(3), "base × 3 = 30 s, capped at max 25 s");
        assertEquals(3, tracker.timesEjected());
    }

    @Test
    void multiplierDecaysWhileTheBackendBehaves() {
        fail(3);
        now.addAndGet(Duration.ofSeconds(10).toNanos());
        fail(3); // times = 2, until = +20 s
        // 20 s of ejection, then 20 s healthy = two base periods: the multiplier decays 2 → 0
        now.addAndGet(Duration.ofSeconds(40).toNanos());
        assertEquals(Optional.of(Duration.ofSeconds(10)), fail(3), "back to base × 1");
    }

    @Test
    void zeroThresholdTurnsItOff() {
        OutlierTracker off = new OutlierTracker(new OutlierSettings(0, Duration.ofSeconds(1), Duration.ofSeconds(1)),
                now::get);
        for (int i = 0; i < 100; i++) {
            assertEquals(Optional.empty(), off.recordFailure());
        }
        assertFalse(off.isEjected());
    }

    @Test
    void concurrentFailuresEjectExactlyOnce() throws Exception {
        OutlierTracker shared = new OutlierTracker(new OutlierSettings(5, Duration.ofSeconds(10),
                Duration.ofSeconds(300)), now::get); // the clock does not move: one ejection window
        AtomicInteger ejections = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        Thread[] threads = new Thread[4];
        for (int i = 0; i < threads.length; i++) {
            threads[i] = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int j = 0; j < 1000; j++) {
                    shared.recordFailure().ifPresent(d -> ejections.incrementAndGet());
                }
            });
            threads[i].start();
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(1, ejections.get());
        assertEquals(1, shared.timesEjected());
    }
}
