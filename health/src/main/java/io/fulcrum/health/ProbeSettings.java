package io.fulcrum.health;

import java.time.Duration;

/**
 * How one target is probed. Immutable; a reload hands the checker a new instance
 * ({@link HealthChecker#update}). Defaults ({@link #DEFAULTS}) are SPEC's: http, /healthz, interval 2s,
 * timeout 1s, rise 2, fall 3, agent-port 0 (off).
 *
 * @param type      http, tcp or none
 * @param path      request path of the http probe (starts with '/')
 * @param interval  time between probes of one target (each spread by ±10 % jitter)
 * @param timeout   a probe that has not passed by then fails (connect included); when it exceeds the
 *                  interval, a turn that finds the previous probe still running is skipped, not doubled
 * @param rise      consecutive passes to become UP
 * @param fall      consecutive failures to become DOWN
 * @param agentPort HAProxy agent check on this port of the target's host; 0 = off
 */
public record ProbeSettings(ProbeType type, String path, Duration interval, Duration timeout, int rise, int fall,
                            int agentPort) {

    public static final ProbeSettings DEFAULTS = new ProbeSettings(ProbeType.HTTP, "/healthz", Duration.ofSeconds(2),
            Duration.ofSeconds(1), 2, 3, 0);

    public ProbeSettings {
        if (type == null || path == null || interval == null || timeout == null) {
            throw new IllegalArgumentException("probe settings need type, path, interval and timeout");
        }
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("health path must start with '/', got '" + path + "'");
        }
        if (!isRequestPath(path)) {
            throw new IllegalArgumentException("health path must be printable ASCII without spaces, got '"
                    + path + "'");
        }
        if (interval.toMillis() < 1 || timeout.toMillis() < 1) {
            throw new IllegalArgumentException("health interval and timeout must be at least 1ms");
        }
        if (rise < 1 || fall < 1) {
            throw new IllegalArgumentException("health rise and fall must be >= 1");
        }
        if (agentPort < 0 || agentPort > 65535) {
            throw new IllegalArgumentException("agent-port must be 0..65535");
        }
    }

    /** Printable ASCII without spaces: the probe writes it into its request line as it is. */
    public static boolean isRequestPath(String path) {
        return path.chars().allMatch(c -> c > ' ' && c < 0x7f);
    }
}
