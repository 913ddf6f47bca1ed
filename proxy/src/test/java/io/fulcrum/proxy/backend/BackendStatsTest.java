package io.fulcrum.proxy.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BackendStatsTest {

    private static final double MS = TimeUnit.MILLISECONDS.toNanos(1);
    private final AtomicLong now = new AtomicLong(TimeUnit.HOURS.toNanos(5));
    private final BackendStats stats = new BackendStats(now::get);

    private void request(double latencyMs, boolean failed) {
        stats.requestStarted();
        stats.requestEnded((long) (latencyMs * MS), failed);
    }

    @Test
    void countsRequestsInFlightAndFailures() {
        stats.requestStarted();
        stats.requestStarted();
        assertEquals(2, stats.inFlight());
        stats.requestEnded(1, true);
        assertEquals(1, stats.inFlight());
        assertEquals(2, stats.requests());
        assertEquals(1, stats.failures());
    }

    @Test
    void peakEwmaFollowsTheWorkedExample() {
        assertEquals(BackendStats.NO_ESTIMATE, stats.latencyEstimateNanos());
        request(10, false);
        assertEquals(10, stats.latencyEstimateNanos() / MS, 1e-9);
        // A slower sample is taken at once: the peak.
        request(100, false);
        assertEquals(100, stats.latencyEstimateNanos() / MS, 1e-9);
        // 1 s later a 10 ms sample: w = e^-0.1 → 100·0.905 + 10·0.095 = 91.44 ms.
        now.addAndGet(TimeUnit.SECONDS.toNanos(1));
        request(10, false);
        double w = Math.exp(-0.1);
        assertEquals(100 * w + 10 * (1 - w), stats.latencyEstimateNanos() / MS, 1e-6);
        // Read 10 s (one τ) later with no sample: decayed by e^-1 → 33.6 ms.
        now.addAndGet(TimeUnit.SECONDS.toNanos(10));
        assertEquals((100 * w + 10 * (1 - w)) / Math.E, stats.latencyEstimateNanos() / MS, 1e-6);
    }

    @Test
    void aFastFailureNeverMakesABackendLookFaster() {
        request(50, false);
        now.addAndGet(TimeUnit.SECONDS.toNanos(5));
        request(0.1, true); // connection refused at once
        assertEquals(50 * Math.exp(-0), stats.latencyEstimateNanos() / MS, 1e-6);
        // A slow failure (a timeout) is a peak like any other.
        request(2_000, true);
        assertEquals(2_000, stats.latencyEstimateNanos() / MS, 1e-6);
    }
}
