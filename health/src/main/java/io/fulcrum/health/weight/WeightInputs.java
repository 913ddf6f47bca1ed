package io.fulcrum.health.weight;

/**
 * Everything the dynamic-weight function looks at, already smoothed. A value nobody reported is NaN.
 *
 * @param configuredWeight    the operator's weight (1..1000)
 * @param agentPercent        the agent's {@code N%}, or -1 when the backend has no agent (= 100 %)
 * @param cpuUtilization      smoothed ORCA cpu_utilization; NaN if never reported
 * @param reportedConnections smoothed ORCA named_metrics.connections (all clients); NaN if never reported
 * @param inFlight            the proxy's own in-flight requests to the backend
 * @param reportedErrorRate   smoothed ORCA eps / rps_fractional; NaN if never reported
 * @param observedErrorRate   smoothed share of the proxy's own requests that failed (connect error or 5xx); NaN if none yet
 * @param reportTrust         1 for fresh reports, fading to 0 as they go stale ({@link DynamicWeight#reportTrust});
 *                            applies to the reported values only, never to the proxy's own observations
 * @param slowStartRamp       the slow-start multiplier, 0..1 ({@link DynamicWeight#slowStartRamp})
 */
public record WeightInputs(int configuredWeight, int agentPercent, double cpuUtilization, double reportedConnections,
                           int inFlight, double reportedErrorRate, double observedErrorRate, double reportTrust,
                           double slowStartRamp) {

    /** No load information at all: the function gives back the configured weight. */
    public static WeightInputs neutral(int configuredWeight) {
        return new WeightInputs(configuredWeight, -1, Double.NaN, Double.NaN, 0, Double.NaN, Double.NaN, 0, 1);
    }
}
