package io.fulcrum.proxy.backend;

import java.time.Instant;

/**
 * What a backend last reported of its own load (SPEC section 5), as the admin API and metrics show it.
 *
 * @param cpuUtilization 0..1, NaN when the backend never reported it
 * @param connections    the backend's own connection count, -1 when not reported
 * @param reportedAt     when the report arrived
 */
public record BackendLoad(double cpuUtilization, long connections, Instant reportedAt) {
}
