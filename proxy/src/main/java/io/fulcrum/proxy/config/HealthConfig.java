package io.fulcrum.proxy.config;

import java.time.Duration;

/**
 * A pool's active health check. Defaults: type http, path /healthz, interval 2s, timeout 1s,
 * rise 2, fall 3, agent-port 0 (off).
 *
 * @param type http | tcp | none
 */
public record HealthConfig(String type, String path, Duration interval, Duration timeout, int rise, int fall,
                           int agentPort) {
}
