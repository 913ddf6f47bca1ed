package io.fulcrum.proxy.metrics;

import io.fulcrum.proxy.backend.Backend;
import io.fulcrum.proxy.backend.BackendPool;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every meter of one pool, made once when the pool appears and kept in {@link BackendPool#meters()}:
 * retries, the answers Fulcrum gave itself for the pool (503 with no backend selectable, 502/504 after
 * the last attempt) under {@code backend=""}, membership gauges and a counter of every change to the
 * pool's backends ({@code fulcrum_pool_events_total{pool,event}}: added, removed, active, draining,
 * drained, disabled, reweighted).
 *
 * <p>Threading: {@link #retries}, {@link #localRequests} and {@link #localDuration} are used from any
 * event loop without locks; the rest runs on the thread changing the pools.
 */
final class PoolMeters {

    /** Every event word, so every series exists from the start (rate() needs a first sample). */
    static final List<String> EVENTS = List.of("added", "removed", "active", "draining", "drained", "disabled",
            "reweighted");

    final Counter retries;
    final RequestCounters localRequests;
    final Timer localDuration;
    private final MeterRegistry registry;
    private final List<Meter> meters = new ArrayList<>();
    private final Map<String, Counter> events = new ConcurrentHashMap<>();
    /** The meters of the pool's backends, so a removed pool takes them along. */
    final Map<Backend, BackendMeters> backends = new ConcurrentHashMap<>();

    PoolMeters(MeterRegistry registry, BackendPool pool) {
        this.registry = registry;
        String name = pool.name();
        this.retries = Counter.builder("fulcrum.retries")
                .description("Requests sent again to another backend after a failure")
                .tags("pool", name).register(registry);
        this.localRequests = new RequestCounters(registry, name, "");
        this.localDuration = DurationTimers.register(registry, name, "");
        meters.add(retries);
        meters.add(localDuration);
        meters.add(Gauge.builder("fulcrum.pool.backends", pool, p -> p.backends().size())
                .description("Backends in the pool, whatever their state")
                .tags("pool", name).strongReference(true).register(registry));
        meters.add(Gauge.builder("fulcrum.pool.selectable.backends", pool, PoolMeters::selectable)
                .description("Backends that may take new requests now: active and up")
                .tags("pool", name).strongReference(true).register(registry));
        for (String e : EVENTS) {
            Counter c = Counter.builder("fulcrum.pool.events")
                    .description("Changes to the pool's backends: added, removed, state changes, weight changes")
                    .tags("pool", name, "event", e).register(registry);
            events.put(e, c);
            meters.add(c);
        }
    }

    private static double selectable(BackendPool pool) {
        int n = 0;
        for (Backend b : pool.backends()) {
            if (b.isSelectable()) {
                n++;
            }
        }
        return n;
    }

    void event(String event) {
        Counter c = events.get(event);
        if (c != null) {
            c.increment();
        }
    }

    /** Removes the pool's meters and those of every backend it still had. */
    void remove() {
        backends.values().forEach(BackendMeters::remove);
        backends.clear();
        localRequests.remove();
        meters.forEach(registry::remove);
        meters.clear();
    }
}
