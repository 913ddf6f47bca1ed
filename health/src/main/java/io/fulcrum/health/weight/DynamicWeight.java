package io.fulcrum.health.weight;

/**
 * The dynamic-weight function: pure, stateless, thread-safe. docs/dynamic-weights.md derives it.
 *
 * <pre>
 * base      = configured × agent% / 100                      (HAProxy: the agent scales the configured weight)
 * cpu       = 1 − clamp(cpu_utilization, 0, 1)                (headroom)
 * conn      = knee / (knee + connections),  knee = connectionKnee × configured / 100,
 *             connections = max(trust × reported connections, our in-flight)
 * err       = max(0, 1 − errorPenalty × errorRate),  errorRate = max(trust × reported eps/rps, our error rate)
 *             (gRPC WRR's error penalty, as a factor)
 * trust     = 1 for fresh reports, 0 from 3 probe intervals old; cpu is trusted as 1 + trust × (cpu − 1)
 * effective = max(floor, round(base × cpu × conn × err × slowStartRamp)),  floor = max(1, round(5 % × base))
 * </pre>
 * Only an agent's explicit {@code 0%} gives 0: load alone never takes a healthy backend out.
 *
 * <p>Worked example (weight 100, cpu 0.60, 10 connections, 1 % errors, ramp done):
 * 100 × 0.40 × (1000 / 1010) × 0.98 × 1.0 = 38.8 → 39.
 */
public final class DynamicWeight {

    private DynamicWeight() {
    }

    public static int effectiveWeight(WeightInputs in, WeightSettings s) {
        double base = in.agentPercent() < 0 ? in.configuredWeight()
                : in.configuredWeight() * (in.agentPercent() / 100.0);
        if (base <= 0) {
            return 0;
        }
        double trust = clamp01(in.reportTrust());
        // The backend's own numbers fade as they age; the proxy's own observations are always current.
        double connections = Math.max(orZero(in.reportedConnections()) * trust, in.inFlight());
        double errorRate = Math.max(orZero(in.reportedErrorRate()) * trust, orZero(in.observedErrorRate()));
        double load = trusted(cpuFactor(in.cpuUtilization()), trust)
                * connectionFactor(connections, in.configuredWeight(), s.connectionKnee())
                * errorFactor(errorRate, s.errorPenalty());
        double w = base * load * clamp01(in.slowStartRamp());
        long floor = Math.max(1, Math.round(base * s.floorFraction()));
        return (int) Math.max(floor, Math.round(w));
    }

    /** Headroom: 1 when idle, 0 when saturated; 1 when unknown (NaN). */
    public static double cpuFactor(double cpuUtilization) {
        return Double.isNaN(cpuUtilization) ? 1 : 1 - clamp01(cpuUtilization);
    }

    /** Like Envoy's least-request but soft: half the weight at {@code knee} connections per 100 weight. */
    public static double connectionFactor(double connections, int configuredWeight, double kneePer100) {
        if (Double.isNaN(connections) || connections <= 0) {
            return 1;
        }
        double knee = kneePer100 * configuredWeight / 100.0;
        return knee / (knee + connections);
    }

    /** gRPC WRR counts errors as extra utilization; here as a factor: each 1 % of errors costs {@code penalty} %. */
    public static double errorFactor(double errorRate, double penalty) {
        return Double.isNaN(errorRate) ? 1 : Math.max(0, 1 - penalty * clamp01(errorRate));
    }

    /**
     * Linear ramp (HAProxy, NGINX Plus) from {@code initial} at the moment the backend came up to 1 after
     * {@code slowStartNanos}. 1 when slow start is off.
     */
    public static double slowStartRamp(long sinceUpNanos, long slowStartNanos, double initial) {
        if (slowStartNanos <= 0 || sinceUpNanos >= slowStartNanos) {
            return 1;
        }
        return initial + (1 - initial) * Math.max(0, sinceUpNanos) / (double) slowStartNanos;
    }

    /**
     * How much a report of this age still counts: fully up to 2 probe intervals (one missed report is
     * normal jitter), then linearly less, nothing from 3 intervals on (SPEC: "a report older than three
     * probe intervals stops counting") — a fade rather than a step, so the weight does not jump.
     */
    public static double reportTrust(long ageNanos, long intervalNanos) {
        if (ageNanos <= 2 * intervalNanos) {
            return 1;
        }
        if (ageNanos >= 3 * intervalNanos) {
            return 0;
        }
        return (3 * intervalNanos - ageNanos) / (double) intervalNanos;
    }

    private static double trusted(double factor, double trust) {
        return 1 + trust * (factor - 1);
    }

    private static double orZero(double d) {
        return Double.isNaN(d) ? 0 : d;
    }

    private static double clamp01(double d) {
        return d < 0 ? 0 : Math.min(1, d);
    }
}
