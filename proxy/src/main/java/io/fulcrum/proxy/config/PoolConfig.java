package io.fulcrum.proxy.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One pool under {@code pools}. Defaults (reference.conf): strategy dynamic, slow-start 10s,
 * connect-timeout 2s, response-timeout 30s, retries 2, max-connections-per-backend 0 (unlimited),
 * queue-timeout 5s, max-queue 1024, retry-buffer-bytes 65536.
 *
 * @param hashKey          only for consistent-hash; empty otherwise
 * @param queueTimeout     how long a request waits for a connection slot when every backend is at
 *                         max-connections-per-backend, before 503 (HAProxy's timeout queue)
 * @param maxQueue         requests that may wait at once in that queue; more get 503 at once
 * @param retryBufferBytes a request body up to this size is kept so it can be replayed on retry
 */
public record PoolConfig(
        String name,
        String strategy,
        Optional<HashKeyConfig> hashKey,
        List<BackendConfig> backends,
        HealthConfig health,
        OutlierConfig outlier,
        Duration slowStart,
        Duration connectTimeout,
        Duration responseTimeout,
        int retries,
        int maxConnectionsPerBackend,
        Duration queueTimeout,
        int maxQueue,
        int retryBufferBytes) {
}
