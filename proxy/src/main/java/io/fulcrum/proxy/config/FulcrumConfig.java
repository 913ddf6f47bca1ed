package io.fulcrum.proxy.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The whole validated configuration: everything under the {@code fulcrum} root of the HOCON file.
 * Immutable; a reload builds a new one and the daemon applies the difference.
 *
 * @param source the file it was read from (for messages and the file watcher)
 * @param pools  by name, in file order
 * @param threads event-loop threads for traffic; 0 = one per CPU core
 */
public record FulcrumConfig(
        Path source,
        List<ListenerConfig> listeners,
        Map<String, PoolConfig> pools,
        AdminConfig admin,
        int threads,
        TimeoutsConfig timeouts,
        LimitsConfig limits,
        AccessLogConfig accessLog) {
}
