package io.fulcrum.proxy.testing;

import io.fulcrum.proxy.config.AccessLogConfig;
import io.fulcrum.proxy.config.AdminConfig;
import io.fulcrum.proxy.config.BackendConfig;
import io.fulcrum.proxy.config.FulcrumConfig;
import io.fulcrum.proxy.config.HealthConfig;
import io.fulcrum.proxy.config.HostPort;
import io.fulcrum.proxy.config.LimitsConfig;
import io.fulcrum.proxy.config.ListenerConfig;
import io.fulcrum.proxy.config.OutlierConfig;
import io.fulcrum.proxy.config.PoolConfig;
import io.fulcrum.proxy.config.RouteConfig;
import io.fulcrum.proxy.config.TimeoutsConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Builds validated-shape configs in code for data-plane tests: one listener on port 0, one pool. */
public final class TestConfigs {

    private TestConfigs() {
    }

    public static PoolConfig pool(String name, String strategy, List<String> addresses, int retries) {
        List<BackendConfig> backends = new ArrayList<>();
        for (String a : addresses) {
            backends.add(new BackendConfig(HostPort.parse(a), 100));
        }
        return new PoolConfig(name, strategy, Optional.empty(), backends,
                new HealthConfig("none", "/healthz", Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3, 0),
                new OutlierConfig(0, Duration.ofSeconds(10), Duration.ofSeconds(300)),
                Duration.ZERO, Duration.ofSeconds(2), Duration.ofSeconds(5), retries, 0, Duration.ofSeconds(5), 1024,
                65536);
    }

    public static FulcrumConfig config(List<RouteConfig> routes, List<PoolConfig> pools, LimitsConfig limits,
                                       TimeoutsConfig timeouts) {
        return config("127.0.0.1", routes, pools, limits, timeouts);
    }

    /** As {@link #config(List, List, LimitsConfig, TimeoutsConfig)}, the listener on {@code listenerHost}. */
    public static FulcrumConfig config(String listenerHost, List<RouteConfig> routes, List<PoolConfig> pools,
                                       LimitsConfig limits, TimeoutsConfig timeouts) {
        Map<String, PoolConfig> byName = new LinkedHashMap<>();
        for (PoolConfig p : pools) {
            byName.put(p.name(), p);
        }
        ListenerConfig web = new ListenerConfig("web", new HostPort(listenerHost, 0), Optional.empty(), routes);
        return new FulcrumConfig(Path.of("test.conf"), List.of(web), byName,
                new AdminConfig(new HostPort("127.0.0.1", 0), Optional.empty(), freshStateFile()),
                1, timeouts, limits, new AccessLogConfig("", "json"));
    }

    /** One listener routing everything to one pool of the given backends. */
    public static FulcrumConfig simple(List<String> addresses, int retries) {
        return simple("127.0.0.1", addresses, retries);
    }

    /** One listener on {@code listenerHost}, port 0, routing everything to one pool of the given backends. */
    public static FulcrumConfig simple(String listenerHost, List<String> addresses, int retries) {
        return config(listenerHost, List.of(new RouteConfig(Optional.empty(), "/", "web")),
                List.of(pool("web", "round-robin", addresses, retries)), defaultLimits(), defaultTimeouts());
    }

    /** A state file of its own for every test daemon, so no test sees another's admin changes. */
    private static Path freshStateFile() {
        try {
            Path dir = java.nio.file.Files.createTempDirectory("fulcrum-test-state");
            dir.toFile().deleteOnExit();
            return dir.resolve("state.json");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static LimitsConfig defaultLimits() {
        return new LimitsConfig(16384, 10000, 0, 8192);
    }

    public static TimeoutsConfig defaultTimeouts() {
        return new TimeoutsConfig(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(5));
    }
}
