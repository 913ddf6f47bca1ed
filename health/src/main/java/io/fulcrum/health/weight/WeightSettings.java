package io.fulcrum.health.weight;

import java.time.Duration;

/**
 * Tuning of the dynamic-weight function (see docs/dynamic-weights.md). Only {@code probeInterval} and
 * {@code slowStart} come from the pool's config; the rest are fixed defaults ({@link #of}).
 *
 * @param probeInterval       the pool's probe interval: reports arrive about this often; a report older
 *                            than 3 of them stops counting
 * @param slowStart           ramp time after a backend comes up; zero = no ramp
 * @param smoothing           EWMA time constant for reported load (default 2 probe intervals)
 * @param floorFraction       a healthy backend keeps at least this share of its weight (default 0.05)
 * @param slowStartInitial    share a backend starts its ramp at (default 0.10)
 * @param errorPenalty        weight lost per unit of error rate (default 2: 10 % errors cost 20 %)
 * @param connectionKnee      connections at which a weight-100 backend's connection factor is 0.5
 *                            (default 1000; scales with the configured weight)
 */
public record WeightSettings(Duration probeInterval, Duration slowStart, Duration smoothing, double floorFraction,
                             double slowStartInitial, double errorPenalty, double connectionKnee) {

    public WeightSettings {
        if (probeInterval.isNegative() || probeInterval.isZero()) {
            throw new IllegalArgumentException("probe interval must be > 0");
        }
        if (slowStart.isNegative() || smoothing.isNegative() || smoothing.isZero()) {
            throw new IllegalArgumentException("slow-start must be >= 0 and smoothing > 0");
        }
        if (floorFraction <= 0 || floorFraction > 1 || slowStartInitial <= 0 || slowStartInitial > 1
                || errorPenalty < 0 || connectionKnee <= 0) {
            throw new IllegalArgumentException("weight tuning out of range");
        }
    }

    /** The defaults, for a pool with this probe interval and slow-start. */
    public static WeightSettings of(Duration probeInterval, Duration slowStart) {
        return new WeightSettings(probeInterval, slowStart, probeInterval.multipliedBy(2), 0.05, 0.10, 2.0, 1000);
    }
}
