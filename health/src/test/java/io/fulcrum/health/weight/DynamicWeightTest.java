package io.fulcrum.health.weight;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DynamicWeightTest {

    private static final WeightSettings S = WeightSettings.of(Duration.ofSeconds(2), Duration.ofSeconds(10));

    /** A fresh report with only CPU, nothing else going on. */
    private static WeightInputs cpu(int weight, double cpu) {
        return new WeightInputs(weight, -1, cpu, Double.NaN, 0, Double.NaN, Double.NaN, 1, 1);
    }

    private static int w(WeightInputs in) {
        return DynamicWeight.effectiveWeight(in, S);
    }

    @Test
    void noInformationGivesTheConfiguredWeight() {
        assertEquals(100, w(WeightInputs.neutral(100)));
        assertEquals(1, w(WeightInputs.neutral(1)));
        assertEquals(1000, w(WeightInputs.neutral(1000)));
    }

    @Test
    void workedExampleOfTheJavadocAndDocs() {
        // 100 × (1 − 0.60) × 1000/(1000 + 10) × (1 − 2 × 0.01) × 1.0 = 38.8 → 39
        assertEquals(39, w(new WeightInputs(100, -1, 0.60, 10, 0, 0.01, Double.NaN, 1, 1)));
    }

    @Test
    void monotonicNonIncreasingInCpu() {
        int previous = Integer.MAX_VALUE;
        for (int i = 0; i <= 100; i++) {
            int now = w(cpu(100, i / 100.0));
            assertTrue(now <= previous, "cpu " + i + "%: " + now + " > " + previous);
            previous = now;
        }
        assertEquals(80, w(cpu(100, 0.2)), "headroom 0.8");
        assertEquals(50, w(cpu(100, 0.5)), "headroom 0.5");
        assertEquals(100, w(cpu(100, 0.0)), "idle: the full weight, never more");
        assertEquals(5, w(cpu(100, 1.3)), "over 1 is clamped to 1: headroom 0, held up by the 5 % floor");
    }

    @Test
    void loadAloneNeverGoesBelowTheFloor() {
        WeightInputs worst = new WeightInputs(100, -1, 1.0, 1e9, 1_000_000, 1.0, 1.0, 1, 0.1);
        assertEquals(5, w(worst), "5 % of 100");
        assertEquals(1, w(new WeightInputs(10, -1, 1.0, 1e9, 0, 1.0, 1.0, 1, 1)), "5 % of 10 = 0.5: the floor is 1");
        assertEquals(50, w(new WeightInputs(1000, -1, 1.0, Double.NaN, 0, Double.NaN, Double.NaN, 1, 1)));
    }

    @Test
    void agentPercentScalesTheConfiguredWeightAndZeroMeansZero() {
        assertEquals(50, w(new WeightInputs(100, 50, Double.NaN, Double.NaN, 0, Double.NaN, Double.NaN, 0, 1)));
        assertEquals(0, w(new WeightInputs(100, 0, Double.NaN, Double.NaN, 0, Double.NaN, Double.NaN, 0, 1)),
                "the backend itself asked for 0 % (HAProxy shows it as DRAIN): not load, so no floor");
        // 200 × 40 % = 80 base, cpu 0.5 → 40
        assertEquals(40, w(new WeightInputs(200, 40, 0.5, Double.NaN, 0, Double.NaN, Double.NaN, 1, 1)));
        // floor follows the agent's base: 5 % of 50 = 2.5 → 3
        assertEquals(3, w(new WeightInputs(100, 50, 1.0, Double.NaN, 0, Double.NaN, Double.NaN, 1, 1)));
    }

    @Test
    void staleReportsFadeBackToTheConfiguredWeight() {
        long i = Duration.ofSeconds(2).toNanos();
        assertEquals(1.0, DynamicWeight.reportTrust(0, i));
        assertEquals(1.0, DynamicWeight.reportTrust(2 * i, i), "one missed report is still trusted");
        assertEquals(0.5, DynamicWeight.reportTrust(5 * i / 2, i), 1e-9);
        assertEquals(0.0, DynamicWeight.reportTrust(3 * i, i), "SPEC: older than three intervals stops counting");
        assertEquals(0.0, DynamicWeight.reportTrust(100 * i, i));
        WeightInputs hot = cpu(100, 0.8);
        assertEquals(20, w(hot));
        // trust 0.5: factor 1 + 0.5 × (0.2 − 1) = 0.6
        assertEquals(60, w(new WeightInputs(100, -1, 0.8, Double.NaN, 0, Double.NaN, Double.NaN, 0.5, 1)));
        assertEquals(100, w(new WeightInputs(100, -1, 0.8, 500, 0, 0.5, Double.NaN, 0, 1)),
                "stale cpu, connections and error rate all stop counting");
    }

    @Test
    void theProxysOwnObservationsNeverGoStale() {
        // no report at all (trust 0), but 20 % of our requests failed: 1 − 2 × 0.2 = 0.6
        assertEquals(60, w(new WeightInputs(100, -1, Double.NaN, Double.NaN, 0, Double.NaN, 0.2, 0, 1)));
        // 1000 in flight from us against a knee of 1000: half
        assertEquals(50, w(new WeightInputs(100, -1, Double.NaN, Double.NaN, 1000, Double.NaN, Double.NaN, 0, 1)));
    }

    @Test
    void connectionFactorUsesTheLargerOfReportedAndOurs() {
        // reported 3000 for weight 300 → knee 3000 → half, whatever our in-flight (10) says
        assertEquals(150, w(new WeightInputs(300, -1, Double.NaN, 3000, 10, Double.NaN, Double.NaN, 1, 1)));
        assertEquals(0.5, DynamicWeight.connectionFactor(1000, 100, 1000));
        assertEquals(1.0, DynamicWeight.connectionFactor(Double.NaN, 100, 1000));
    }

    @Test
    void errorFactorFollowsThePenalty() {
        assertEquals(0.8, DynamicWeight.errorFactor(0.1, 2), 1e-9);
        assertEquals(0.0, DynamicWeight.errorFactor(0.7, 2));
        assertEquals(1.0, DynamicWeight.errorFactor(Double.NaN, 2));
    }

    @Test
    void slowStartRampsLinearlyFromTenPercent() {
        long ss = Duration.ofSeconds(10).toNanos();
        assertEquals(0.1, DynamicWeight.slowStartRamp(0, ss, 0.1), 1e-9);
        assertEquals(0.55, DynamicWeight.slowStartRamp(ss / 2, ss, 0.1), 1e-9);
        assertEquals(1.0, DynamicWeight.slowStartRamp(ss, ss, 0.1));
        assertEquals(1.0, DynamicWeight.slowStartRamp(0, 0, 0.1), "slow-start 0 = off");
        assertEquals(10, w(new WeightInputs(100, -1, Double.NaN, Double.NaN, 0, Double.NaN, Double.NaN, 0, 0.1)));
        // ramp and load multiply: 100 × 0.5 × 0.55 = 27.5 → 28
        assertEquals(28, w(new WeightInputs(100, -1, 0.5, Double.NaN, 0, Double.NaN, Double.NaN, 1, 0.55)));
    }
}
