package io.fulcrum.proxy.metrics;

import io.fulcrum.health.HealthStatus;
import io.fulcrum.proxy.backend.AdminState;
import io.fulcrum.proxy.backend.Backend;
import io.fulcrum.proxy.backend.BackendLoad;
import io.fulcrum.proxy.backend.LoadSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Every meter of one backend, made once when the backend appears and kept in {@link Backend#meters()},
 * so the request path records without looking anything up.
 *
 * <p>Gauges read the live values when scraped (health, weights, {@code BackendStats}, the last load
 * report); nothing is copied on the request path. Counters and the timer are written from every event
 * loop without locks.
 *
 * <p>Threading: created and removed by {@link DaemonMetrics} on the thread that changes the pools
 * (under the {@code Pools} monitor); {@link #requests}, {@link #duration} and {@link #failures} are
 * used from any event loop.
 */
final class BackendMeters {

    final RequestCounters requests;
    final Timer duration;
    final Counter failures;
    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();
    /** What {@link DaemonMetrics} last saw, to tell a state change from a weight change. */
    AdminState lastState;
    int lastWeight;

    BackendMeters(MeterRegistry registry, String pool, Backend backend, Supplier<LoadSource> loads) {
        this.registry = registry;
        String id = backend.id();
        this.requests = new RequestCounters(registry, pool, id);
        this.duration = DurationTimers.register(registry, pool, id);
        this.failures = Counter.builder("fulcrum.backend.failures")
                .description("Attempts on the backend that failed: connect error, reset, timeout or 5xx (retried ones too)")
                .tags("pool", pool, "backend", id).register(registry);
        meters.add(duration);
        meters.add(failures);
        gauge("fulcrum.backend.up", "1 when probes say the backend is up, else 0 (down or not yet known)",
                pool, backend, b -> b.health() == HealthStatus.UP ? 1 : 0);
        gauge("fulcrum.backend.effective.weight", "The weight balancing uses now: health, load reports and slow start"
                + " applied to the configured weight", pool, backend, Backend::effectiveWeight);
        gauge("fulcrum.backend.weight", "The configured weight (config file or admin API), 1..1000",
                pool, backend, Backend::weight);
        gauge("fulcrum.backend.in.flight", "Requests sent to the backend and not yet answered",
                pool, backend, b -> b.stats().inFlight());
        gauge("fulcrum.backend.connections", "Open connections from Fulcrum to the backend, idle pooled ones included",
                pool, backend, b -> b.stats().activeConnections());
        gauge("fulcrum.backend.cpu.utilization", "The backend's last reported CPU utilization (0..1); NaN when it"
                + " reported none recently", pool, backend, b -> cpu(loads.get(), b));
        for (AdminState s : AdminState.values()) {
            meters.add(Gauge.builder("fulcrum.backend.admin.state", backend, b -> b.adminState() == s ? 1 : 0)
                    .description("1 for the operator's current state of the backend (active, draining, drained, disabled)")
                    .tags("pool", pool, "backend", id, "state", s.word())
                    .strongReference(true)
                    .register(registry));
        }
        this.lastState = backend.adminState();
        this.lastWeight = backend.weight();
    }

    private void gauge(String name, String help, String pool, Backend backend,
                       java.util.function.ToDoubleFunction<Backend> value) {
        meters.add(Gauge.builder(name, backend, value).description(help)
                .tags("pool", pool, "backend", backend.id()).strongReference(true).register(registry));
    }

    private static double cpu(LoadSource source, Backend b) {
        BackendLoad load = source == null ? null : source.load(b);
        return load == null ? Double.NaN : load.cpuUtilization();
    }

    /** Removes every meter of the backend from the registry. */
    void remove() {
        requests.remove();
        meters.forEach(registry::remove);
        meters.clear();
    }
}
