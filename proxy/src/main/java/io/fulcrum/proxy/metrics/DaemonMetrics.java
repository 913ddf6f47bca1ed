package io.fulcrum.proxy.metrics;

import io.fulcrum.proxy.backend.Backend;
import io.fulcrum.proxy.backend.BackendPool;
import io.fulcrum.proxy.backend.LoadSource;
import io.fulcrum.proxy.backend.Pools;
import io.fulcrum.proxy.cli.Version;
import io.fulcrum.proxy.daemon.ReloadStatus;
import io.fulcrum.proxy.server.ListenerContext;
import io.fulcrum.proxy.upstream.ExchangeEvents;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The daemon's metrics (SPEC section 8), in one Micrometer {@link PrometheusMeterRegistry}:
 * <ul>
 *   <li>{@code fulcrum_requests_total{listener,pool,backend,status_class}},
 *       {@code fulcrum_request_duration_seconds{pool,backend}} (histogram), {@code fulcrum_retries_total{pool}},
 *       {@code fulcrum_backend_failures_total{pool,backend}} — recorded by {@link #events()} on the request path;</li>
 *   <li>{@code fulcrum_backend_up}, {@code _effective_weight}, {@code _weight}, {@code _in_flight},
 *       {@code _connections}, {@code _cpu_utilization}, {@code _admin_state{state}} per {@code {pool,backend}},
 *       {@code fulcrum_pool_backends}, {@code fulcrum_pool_selectable_backends}, {@code fulcrum_pool_events_total{pool,event}};</li>
 *   <li>{@code fulcrum_connections_active{listener}}, {@code fulcrum_config_reloads_total{result}},
 *       {@code fulcrum_config_generation}, {@code fulcrum_config_last_reload_successful},
 *       {@code fulcrum_build_info{version}}, and the JVM's own (memory, GC, threads, CPU, uptime).</li>
 * </ul>
 * Requests Fulcrum answered itself carry {@code backend=""} (and {@code pool=""} when no route matched):
 * Prometheus treats an empty label as an absent one, so {@code {backend=""}} selects exactly them.
 *
 * <p>Per-pool and per-backend meters are made once, when the pool or backend appears (this object is
 * a {@link Pools.Listener}), stored in their {@code meters()} slot, and removed from the registry when
 * they go: the request path never looks a meter up.
 *
 * <p>Threading: the {@code Pools.Listener} methods run on the thread changing the pools, under its
 * monitor; {@link #reloaded} and {@link #listenersChanged} on the thread that starts or reloads the
 * daemon; {@link #scrape} on any thread (the admin worker); {@link #events()} on event loops.
 */
public final class DaemonMetrics implements AutoCloseable {

    static final String REQUESTS = "fulcrum.requests";
    static final String REQUEST_DURATION = "fulcrum.request.duration";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Supplier<LoadSource> loads;
    private final MetricsEvents events;
    private final Counter reloadsOk;
    private final Counter reloadsFailed;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private volatile ReloadStatus reloadStatus;
    /** Listener name → its gauge and the context it reads; confined to the starting/reloading thread. */
    private final Map<String, ListenerGauge> listeners = new HashMap<>();

    private record ListenerGauge(ListenerContext context, Gauge gauge) {
    }

    /**
     * Makes the meters of every pool {@code pools} has now, and of every pool and backend it gets later.
     *
     * @param loads  where backends' load reports are read, at scrape time (may return null: no reports)
     * @param status the reload status at start
     */
    public DaemonMetrics(Pools pools, Supplier<LoadSource> loads, ReloadStatus status) {
        this.loads = loads;
        this.reloadStatus = status;
        this.events = new MetricsEvents(new RequestCounters(registry, "", ""), DurationTimers.register(registry, "", ""));
        this.reloadsOk = reloadCounter("ok");
        this.reloadsFailed = reloadCounter("failed");
        Gauge.builder("fulcrum.config.generation", this, m -> m.reloadStatus.generation())
                .description("The config generation in force: 1 at start, +1 per applied reload").register(registry);
        Gauge.builder("fulcrum.config.last.reload.successful", this, m -> m.reloadStatus.lastOk() ? 1 : 0)
                .description("1 when the last reload was applied (or none was tried), 0 when it was rejected")
                .register(registry);
        Gauge.builder("fulcrum.build.info", () -> 1).description("Always 1; the version is in the label")
                .tags("version", Version.get()).register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        gc.bindTo(registry);
        synchronized (pools) {
            // Under the Pools monitor, so no pool or backend appears between this loop and the listener.
            for (BackendPool pool : pools.all()) {
                poolAdded(pool);
            }
            pools.addListener(new Watcher());
        }
    }

    private Counter reloadCounter(String result) {
        return Counter.builder("fulcrum.config.reloads")
                .description("Config reloads tried (file change, SIGHUP or the admin API), by result: ok or failed")
                .tags("result", result).register(registry);
    }

    /** What listeners are handed at creation: records requests, retries and failures. Event loops. */
    public ExchangeEvents events() {
        return events;
    }

    /** The Prometheus text exposition (format 0.0.4). Any thread. */
    public String scrape() {
        return registry.scrape();
    }

    /** The registry, for components that add meters of their own (health probes, for example). */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** Counts a reload attempt (the daemon's {@code onReload}); on the reloading thread. */
    public void reloaded(ReloadStatus status) {
        reloadStatus = status;
        (status.lastOk() ? reloadsOk : reloadsFailed).increment();
    }

    /**
     * Keeps one {@code fulcrum_connections_active{listener}} gauge per listener that runs: adds new
     * ones, drops gone ones, re-points replaced ones. On the starting or reloading thread.
     */
    public synchronized void listenersChanged(Collection<ListenerContext> running) {
        Set<String> names = new HashSet<>();
        for (ListenerContext ctx : running) {
            names.add(ctx.name());
            ListenerGauge known = listeners.get(ctx.name());
            if (known != null && known.context() == ctx) {
                continue;
            }
            if (known != null) {
                registry.remove(known.gauge());
            }
            Gauge g = Gauge.builder("fulcrum.connections.active", ctx, ListenerContext::activeConnections)
                    .description("Open client connections on the listener")
                    .tags("listener", ctx.name()).strongReference(true).register(registry);
            listeners.put(ctx.name(), new ListenerGauge(ctx, g));
        }
        listeners.entrySet().removeIf(e -> {
            if (names.contains(e.getKey())) {
                return false;
            }
            registry.remove(e.getValue().gauge());
            return true;
        });
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }

    private void poolAdded(BackendPool pool) {
        PoolMeters pm = new PoolMeters(registry, pool);
        pool.meters(pm);
        for (Backend b : pool.backends()) {
            backendAdded(pm, pool, b);
        }
    }

    private void backendAdded(PoolMeters pm, BackendPool pool, Backend b) {
        BackendMeters bm = new BackendMeters(registry, pool.name(), b, loads);
        b.meters(bm);
        pm.backends.put(b, bm);
    }

    /** Hears every change to the pools; runs under the Pools monitor, so it only makes and drops meters. */
    private final class Watcher implements Pools.Listener {

        @Override
        public void poolAdded(BackendPool pool) {
            DaemonMetrics.this.poolAdded(pool);
        }

        @Override
        public void poolRemoved(BackendPool pool) {
            if (pool.meters() instanceof PoolMeters pm) {
                pm.remove();
            }
        }

        @Override
        public void backendAdded(BackendPool pool, Backend backend) {
            if (pool.meters() instanceof PoolMeters pm) {
                DaemonMetrics.this.backendAdded(pm, pool, backend);
                pm.event("added");
            }
        }

        @Override
        public void backendRemoved(BackendPool pool, Backend backend) {
            if (pool.meters() instanceof PoolMeters pm) {
                BackendMeters bm = pm.backends.remove(backend);
                if (bm != null) {
                    bm.remove();
                }
                pm.event("removed");
            }
        }

        @Override
        public void backendChanged(BackendPool pool, Backend backend) {
            if (pool.meters() instanceof PoolMeters pm && backend.meters() instanceof BackendMeters bm) {
                if (bm.lastState != backend.adminState()) {
                    bm.lastState = backend.adminState();
                    pm.event(bm.lastState.word());
                }
                if (bm.lastWeight != backend.weight()) {
                    bm.lastWeight = backend.weight();
                    pm.event("reweighted");
                }
            }
        }
    }
}
