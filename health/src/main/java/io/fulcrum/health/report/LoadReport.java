package io.fulcrum.health.report;

import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One ORCA load report ({@code endpoint-load-metrics}) as a backend sent it on a probe answer.
 *
 * <p>Immutable. A field the backend did not send is {@link Double#NaN} (ORCA itself treats an absent
 * field as "not reported", which is not the same as 0: a CPU of 0 would make the backend look idle).
 *
 * @param cpuUtilization  ORCA {@code cpu_utilization}: 0.0 idle .. 1.0 fully busy (may exceed 1 on some hosts)
 * @param memUtilization  ORCA {@code mem_utilization}: 0.0 .. 1.0
 * @param rpsFractional   ORCA {@code rps_fractional}: requests per second the backend served
 * @param eps             ORCA {@code eps}: errors per second the backend answered
 * @param namedMetrics    ORCA {@code named_metrics.*} without the prefix, e.g. {@code connections -> 17}
 * @param receivedAtNanos when it was received, on the {@code System.nanoTime()} scale (for staleness)
 * @param receivedAt      when it was received, wall clock (for display: the admin API's {@code reportedAt})
 */
public record LoadReport(double cpuUtilization, double memUtilization, double rpsFractional, double eps,
                         Map<String, Double> namedMetrics, long receivedAtNanos, Instant receivedAt) {

    /** The named metric the backend uses to report its own open connection count (all clients, not only us). */
    public static final String CONNECTIONS = "connections";

    public LoadReport {
        namedMetrics = Map.copyOf(namedMetrics);
    }

    public boolean hasCpu() {
        return !Double.isNaN(cpuUtilization);
    }

    /** {@code named_metrics.connections}, rounded, when the backend reported it. */
    public OptionalLong connections() {
        Double c = namedMetrics.get(CONNECTIONS);
        return c == null ? OptionalLong.empty() : OptionalLong.of(Math.round(c));
    }
}
