package io.fulcrum.health.weight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fulcrum.health.report.LoadReport;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Virtual-time simulation, no sockets: three backends of equal configured weight but capacities
 * 1 : 1 : 0.5, each reporting a CPU utilization that follows the load it got in the last probe interval,
 * picked by a weighted-random choice over their effective weights.
 *
 * <p>Expected equilibrium. With total demand R (in units of a capacity-1 backend), backend i with share
 * s_i runs at u_i = s_i × R / c_i and gets weight ∝ 1 − u_i. So s_i = k (1 − s_i R / c_i), i.e.
 * s_i = k c_i / (c_i + k R), with k fixed by Σ s_i = 1. For R = 1.5 (60 % of the pool's total capacity
 * 2.5): k ≈ 0.8803, s = 0.3787, 0.3787, 0.2426 — near the capacity shares 0.4, 0.4, 0.2 but not on
 * them, because headroom alone gives the small backend a bit more than its capacity share (it runs at
 * u = 0.73 while the big ones run at 0.57; see docs/dynamic-weights.md for why this trade is made).
 */
class DynamicWeightSimulationTest {

    private static final double[] CAPACITY = {1, 1, 0.5};
    /** Demand as a multiple of a capacity-1 backend: 60 % of the pool's 2.5. */
    private static final double DEMAND = 1.5;
    /** Picks per probe interval: enough that sampling noise (σ ≈ 0.003 on a share) stays below the bounds. */
    private static final int PICKS = 20_000;
    private static final long INTERVAL = Duration.ofSeconds(1).toNanos();
    private static final double[] EQUILIBRIUM = {0.3787, 0.3787, 0.2426};

    @Test
    void sharesConvergeNearCapacityAndStayPut() {
        AtomicLong now = new AtomicLong(0);
        WeightSettings settings = WeightSettings.of(Duration.ofSeconds(1), Duration.ZERO);
        LoadTracker[] trackers = new LoadTracker[3];
        for (int i = 0; i < 3; i++) {
            trackers[i] = new LoadTracker(settings, now::get);
        }
        Random random = new Random(42);
        int intervals = 60;
        double[][] shares = new double[intervals][3];
        for (int t = 0; t < intervals; t++) {
            int[] w = new int[3];
            int total = 0;
            for (int i = 0; i < 3; i++) {
                w[i] = trackers[i].effectiveWeight(100);
                total += w[i];
            }
            int[] picks = new int[3];
            for (int p = 0; p < PICKS; p++) {
                int r = random.nextInt(total);
                int i = r < w[0] ? 0 : r < w[0] + w[1] ? 1 : 2;
                picks[i]++;
            }
            now.addAndGet(INTERVAL);
            for (int i = 0; i < 3; i++) {
                shares[t][i] = picks[i] / (double) PICKS;
                double cpu = Math.min(1, shares[t][i] * DEMAND / CAPACITY[i]);
                trackers[i].onReport(new LoadReport(cpu, Double.NaN, Double.NaN, Double.NaN, Map.of(), now.get(),
                        Instant.EPOCH));
            }
        }

        // Interval 0 is the configured weights (no report yet): 1/3 each, the small backend at u = 1.0.
        assertEquals(1 / 3.0, shares[0][2], 0.01);

        // Converged: by interval 12 every share is within 0.015 of the equilibrium (EWMA time constant is
        // 2 intervals and the loop gain is below 1, so the error shrinks by more than half each ~2 intervals;
        // 0.015 is 5 σ of sampling noise).
        int settledAt = -1;
        for (int t = 0; t < intervals && settledAt < 0; t++) {
            boolean ok = true;
            for (int i = 0; i < 3; i++) {
                ok &= Math.abs(shares[t][i] - EQUILIBRIUM[i]) < 0.015;
            }
            if (ok) {
                settledAt = t;
            }
        }
        assertTrue(settledAt >= 0 && settledAt <= 12, "settled at interval " + settledAt);

        // No oscillation afterwards: every later share stays within 0.015 of the equilibrium, and within
        // 0.05 of the capacity share (0.4, 0.4, 0.2) — the gap the equilibrium itself has.
        double[] capacityShare = {0.4, 0.4, 0.2};
        for (int t = settledAt; t < intervals; t++) {
            for (int i = 0; i < 3; i++) {
                assertEquals(EQUILIBRIUM[i], shares[t][i], 0.015, "interval " + t + " backend " + i);
                assertEquals(capacityShare[i], shares[t][i], 0.05, "interval " + t + " backend " + i);
            }
        }
        // Bounded amplitude over the last 40 intervals: max − min of the small backend's share under 0.02
        // (pure sampling noise would give about 0.015 over 40 draws).
        double min = 1;
        double max = 0;
        for (int t = intervals - 40; t < intervals; t++) {
            min = Math.min(min, shares[t][2]);
            max = Math.max(max, shares[t][2]);
        }
        assertTrue(max - min < 0.02, "amplitude " + (max - min));
    }
}
