package io.fulcrum.health.weight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fulcrum.health.HealthStatus;
import io.fulcrum.health.report.AgentReply;
import io.fulcrum.health.report.LoadReport;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoadTrackerTest {

    private static final long SECOND = 1_000_000_000L;
    private final AtomicLong now = new AtomicLong(1000 * SECOND);
    private final LoadTracker tracker =
            new LoadTracker(WeightSettings.of(Duration.ofSeconds(1), Duration.ofSeconds(10)), now::get);

    private void report(double cpu) {
        tracker.onReport(new LoadReport(cpu, Double.NaN, Double.NaN, Double.NaN, Map.of(), now.get(), Instant.EPOCH));
    }

    @Test
    void withoutReportsTheConfiguredWeightHolds() {
        assertEquals(100, tracker.effectiveWeight(100));
        assertNull(tracker.lastReport());
        assertTrue(Double.isNaN(tracker.smoothedCpu()));
    }

    @Test
    void theFirstReportSeedsAndLaterOnesAreSmoothed() {
        report(0.0);
        assertEquals(100, tracker.effectiveWeight(100));
        now.addAndGet(SECOND);
        report(0.8);
        // α = 1 − e^(−1 s / 2 s) = 0.3935; cpu = 0.8 × 0.3935 = 0.3148 → 100 × 0.685 = 68.5 → 69
        assertEquals(0.3148, tracker.smoothedCpu(), 1e-4);
        assertEquals(69, tracker.effectiveWeight(100));
        for (int i = 0; i < 20; i++) {
            now.addAndGet(SECOND);
            report(0.8);
        }
        // 20 more intervals at 0.8: the gap closes to 0.485 × e^(−10) ≈ 0: cpu ≈ 0.8, weight 20
        assertEquals(20, tracker.effectiveWeight(100));
    }

    @Test
    void aReportOlderThanThreeIntervalsStopsCounting() {
        report(0.8);
        assertEquals(20, tracker.effectiveWeight(100));
        now.addAndGet(2 * SECOND);
        assertEquals(20, tracker.effectiveWeight(100), "2 intervals: still fully trusted");
        now.addAndGet(SECOND / 2);
        assertEquals(60, tracker.effectiveWeight(100), "2.5 intervals: half way back, 1 + 0.5 × (0.2 − 1) = 0.6");
        now.addAndGet(SECOND / 2);
        assertEquals(100, tracker.effectiveWeight(100), "3 intervals: configured weight");
    }

    @Test
    void becomingUpRampsOverSlowStartButStartingUpDoesNot() {
        assertEquals(100, tracker.effectiveWeight(100), "a config backend, up from the start: no ramp");
        tracker.onHealthChange(HealthStatus.UP, HealthStatus.DOWN);
        now.addAndGet(SECOND);
        tracker.onHealthChange(HealthStatus.DOWN, HealthStatus.UP);
        assertEquals(10, tracker.effectiveWeight(100), "10 % at the moment it comes up");
        now.addAndGet(5 * SECOND);
        assertEquals(55, tracker.effectiveWeight(100), "half of slow-start: 10 % + 90 % / 2");
        now.addAndGet(5 * SECOND);
        assertEquals(100, tracker.effectiveWeight(100));
        tracker.onHealthChange(HealthStatus.UP, HealthStatus.UP);
        assertEquals(100, tracker.effectiveWeight(100), "not a transition: no new ramp");
    }

    @Test
    void agentPercentSticksUntilTheNextOne() {
        tracker.onAgentReply(new AgentReply(OptionalInt.of(50), Optional.empty(), now.get()));
        assertEquals(50, tracker.effectiveWeight(100));
        tracker.onAgentReply(new AgentReply(OptionalInt.empty(), Optional.empty(), now.get()));
        assertEquals(50, tracker.effectiveWeight(100), "a reply without N% keeps the last one (HAProxy)");
    }

    @Test
    void observedErrorsAndInFlightCount() {
        tracker.observe(0, 0, 0);
        now.addAndGet(SECOND);
        tracker.observe(0, 100, 10);
        // first sample seeds: 10 % errors → 1 − 2 × 0.1 = 0.8
        assertEquals(80, tracker.effectiveWeight(100));
        now.addAndGet(SECOND);
        tracker.observe(1000, 100, 10); // no new requests: the error rate stays, 1000 in flight halves
        assertEquals(40, tracker.effectiveWeight(100));
    }

    @Test
    void reportedErrorRateIsEpsOverRps() {
        tracker.onReport(new LoadReport(Double.NaN, Double.NaN, 100, 5, Map.of("connections", 1000.0), now.get(),
                Instant.EPOCH));
        // 5 % errors → 0.9; 1000 connections vs knee 1000 → 0.5; 100 × 0.45 = 45
        assertEquals(45, tracker.effectiveWeight(100));
    }
}
