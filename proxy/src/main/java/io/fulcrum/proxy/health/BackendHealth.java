package io.fulcrum.proxy.health;

import io.fulcrum.health.HealthChecker;
import io.fulcrum.health.HealthStatus;
import io.fulcrum.health.HealthTarget;
import io.fulcrum.health.ProbeSettings;
import io.fulcrum.health.ProbeType;
import io.fulcrum.health.outlier.OutlierSettings;
import io.fulcrum.health.outlier.OutlierTracker;
import io.fulcrum.health.report.LoadReport;
import io.fulcrum.health.weight.DynamicWeight;
import io.fulcrum.health.weight.LoadTracker;
import io.fulcrum.health.weight.WeightSettings;
import io.fulcrum.proxy.backend.Backend;
import io.fulcrum.proxy.backend.BackendLoad;
import io.fulcrum.proxy.backend.BackendPool;
import io.fulcrum.proxy.backend.LoadSource;
import io.fulcrum.proxy.backend.Pools;
import io.fulcrum.proxy.upstream.ExchangeEvents;
import io.fulcrum.proxy.upstream.Transport;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's health component (SPEC section 5): one {@link HealthChecker} probing every backend of
 * every pool, a {@link LoadTracker} and an {@link io.fulcrum.health.outlier.OutlierTracker} per backend,
 * and the publishing of what they conclude — health and effective weight — to the pools.
 *
 * <ul>
 *   <li>It follows the pools as a {@link Pools.Listener}: a backend is registered when it appears (config
 *       backends UP, runtime ones as {@link Pools#addBackend} gave them, UNKNOWN until {@code rise}
 *       passes), unregistered when it leaves; a reload's new settings reach the checker and the trackers
 *       without losing state.</li>
 *   <li>Health type {@code none}: nothing probes the backend; it keeps its status (a runtime backend
 *       with no check is taken as UP, as HAProxy takes a server without {@code check}).</li>
 *   <li>Once per probe interval of each pool, on the control thread, every backend's effective weight
 *       is recomputed ({@link DynamicWeight}: reports, in-flight, errors, slow start) and written to the
 *       pool when it changed.</li>
 *   <li>{@link #exchangeEvents()} feeds passive outlier detection from live traffic.</li>
 *   <li>It is the daemon's {@link LoadSource}: the admin API and metrics read each backend's last report.</li>
 * </ul>
 *
 * <p>Threading: listener methods run on whatever thread changes the pools, under {@link Pools}' monitor:
 * they only register with the checker (non-blocking) and write to pools. Checker callbacks run on the
 * checker's loop, weight ticks on the control executor; reads ({@link #load}, {@link #lastReport},
 * {@link #status}) from any thread, lock-free but for one uncontended tracker monitor.
 */
public final class BackendHealth implements Pools.Listener, LoadSource, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BackendHealth.class);

    private final HealthChecker checker;
    private final ScheduledExecutorService control;
    private final LongSupplier nanoClock;
    /** Keyed by identity: the same address in two pools is two {@link Backend}s. Lock-free reads. */
    private final Map<Backend, TrackedBackend> tracked = new ConcurrentHashMap<>();
    private final Map<BackendPool, Beat> beats = new ConcurrentHashMap<>();
    private final PassiveChecks passive;
    private volatile boolean closed;

    /** The weight tick of one pool, at its probe interval. */
    private record Beat(Duration interval, ScheduledFuture<?> future) {
    }

    /**
     * Probes go out on the proxy's transport (epoll on Linux), which costs the checker's thread less
     * CPU per probe than Java NIO: 1.6 against 2.0 ms in the daemon under load, 0.25 against 0.4 ms
     * once a probe's code is compiled (bench/README.md, 2026-12-02 afternoon). That CPU comes in
     * bursts which an event loop sharing the core waits out.
     *
     * @param control   the daemon's control thread: weight ticks run there
     * @param transport the proxy's, so that probes and traffic use one transport
     */
    public BackendHealth(ScheduledExecutorService control, Transport transport) {
        this(new HealthChecker(new Random(), transport.ioHandlerFactory(), transport.socketChannel()), control,
                System::nanoTime);
    }

    /**
     * @param checker   owned from now on: {@link #close()} closes it
     * @param nanoClock the scale of {@link LoadReport#receivedAtNanos()}: {@code System::nanoTime}
     */
    BackendHealth(HealthChecker checker, ScheduledExecutorService control, LongSupplier nanoClock) {
        this.checker = checker;
        this.control = control;
        this.nanoClock = nanoClock;
        this.passive = new PassiveChecks(tracked, checker);
    }

    /** What the request path reports to: compose it into the daemon's events. */
    public ExchangeEvents exchangeEvents() {
        return passive;
    }

    // ------------------------------------------------------------------ Pools.Listener

    @Override
    public void poolAdded(BackendPool pool) {
        for (Backend b : pool.backends()) {
            track(pool, b);
        }
        startBeat(pool);
    }

    @Override
    public void poolRemoved(BackendPool pool) {
        // Pools has emptied the pool already (without backendRemoved calls): find its backends here.
        stopBeat(pool);
        tracked.values().removeIf(t -> {
            if (t.pool != pool) {
                return false;
            }
            forget(t);
            return true;
        });
    }

    @Override
    public void poolReconfigured(BackendPool pool) {
        ProbeSettings probe = PoolHealthSettings.probe(pool.config());
        WeightSettings weights = PoolHealthSettings.weights(pool.config());
        OutlierSettings outlier = PoolHealthSettings.outlier(pool.config());
        for (TrackedBackend t : tracked.values()) {
            if (t.pool != pool) {
                continue;
            }
            if (!probe.equals(t.probe)) {
                t.probe = probe;
                checker.update(t.targetId, probe); // keeps status and rise/fall runs
            }
            t.load.updateSettings(weights);
            t.outlier.updateSettings(outlier);
        }
        Beat beat = beats.get(pool);
        if (beat == null || !beat.interval().equals(probe.interval())) {
            stopBeat(pool);
            startBeat(pool);
        }
    }

    @Override
    public void backendAdded(BackendPool pool, Backend backend) {
        track(pool, backend);
    }

    @Override
    public void backendRemoved(BackendPool pool, Backend backend) {
        TrackedBackend t = tracked.remove(backend);
        if (t != null) {
            forget(t);
        }
    }

    /** A configured weight changed (or an admin state): the effective weight follows now, not at the next tick. */
    @Override
    public void backendChanged(BackendPool pool, Backend backend) {
        TrackedBackend t = tracked.get(backend);
        if (t != null) {
            t.refresh();
        }
    }

    // ------------------------------------------------------------------ reads

    /**
     * The backend's last load report as the admin API shows it, or null when it never sent one or the
     * last one is older than three probe intervals (it no longer counts). Any thread.
     */
    @Override
    public BackendLoad load(Backend backend) {
        TrackedBackend t = tracked.get(backend);
        LoadReport r = t == null ? null : t.load.lastReport();
        if (r == null || nanoClock.getAsLong() - r.receivedAtNanos() >= 3 * t.probe.interval().toNanos()) {
            return null;
        }
        return new BackendLoad(r.cpuUtilization(), r.connections().orElse(-1), r.receivedAt());
    }

    /** The backend's last load report as received, however old, or null. Any thread. */
    public LoadReport lastReport(Backend backend) {
        TrackedBackend t = tracked.get(backend);
        return t == null ? null : t.load.lastReport();
    }

    /** Smoothed CPU utilization (for {@code fulcrum_backend_cpu_utilization}), NaN when never reported. */
    public double smoothedCpu(Backend backend) {
        TrackedBackend t = tracked.get(backend);
        return t == null ? Double.NaN : t.load.smoothedCpu();
    }

    /**
     * What the probes say of the backend (its agent's drain does not show here, unlike in
     * {@link Backend#health()}), or null when it is not followed. Any thread.
     */
    public HealthStatus status(Backend backend) {
        TrackedBackend t = tracked.get(backend);
        return t == null ? null : t.probed();
    }

    /** Malformed load reports and agent replies so far, for a metric. Any thread. */
    public long malformedReports() {
        return checker.malformedReports();
    }

    /** Stops the weight ticks and every probe. Blocks briefly for the checker's loop to end. */
    @Override
    public void close() {
        closed = true;
        beats.keySet().forEach(this::stopBeat);
        checker.close();
        tracked.clear();
    }

    // ------------------------------------------------------------------ internals

    private void track(BackendPool pool, Backend backend) {
        if (closed || tracked.containsKey(backend)) {
            return;
        }
        ProbeSettings probe = PoolHealthSettings.probe(pool.config());
        HealthStatus initial = backend.health();
        LoadTracker load = new LoadTracker(PoolHealthSettings.weights(pool.config()), nanoClock);
        if (probe.type() == ProbeType.NONE && initial == HealthStatus.UNKNOWN) {
            initial = HealthStatus.UP; // nothing will ever probe it up ...
            load.onHealthChange(HealthStatus.UNKNOWN, HealthStatus.UP); // ... but it slow-starts as any newcomer
        }
        TrackedBackend t = new TrackedBackend(pool, backend, probe, initial, load,
                new OutlierTracker(PoolHealthSettings.outlier(pool.config()), nanoClock));
        if (checker.unregister(t.targetId)) {
            log.warn("pool {} backend {} was still probed under its old entry; probing it afresh", pool.name(),
                    backend.id());
        }
        tracked.put(backend, t);
        checker.register(new HealthTarget(t.targetId, backend.id(), backend.socketAddress(), probe, initial, t));
        t.refresh();
    }

    private void forget(TrackedBackend t) {
        t.markRemoved();
        checker.unregister(t.targetId);
    }

    private void startBeat(BackendPool pool) {
        if (closed) {
            return;
        }
        Duration interval = PoolHealthSettings.probe(pool.config()).interval();
        long nanos = interval.toNanos();
        ScheduledFuture<?> f = control.scheduleAtFixedRate(() -> tick(pool), nanos, nanos, TimeUnit.NANOSECONDS);
        beats.put(pool, new Beat(interval, f));
    }

    private void stopBeat(BackendPool pool) {
        Beat beat = beats.remove(pool);
        if (beat != null) {
            beat.future().cancel(false);
        }
    }

    /** Control thread. An exception must not end the schedule (it would silently freeze the weights). */
    private void tick(BackendPool pool) {
        for (Backend b : pool.backends()) {
            TrackedBackend t = tracked.get(b);
            if (t == null) {
                continue;
            }
            try {
                t.tick();
            } catch (RuntimeException e) {
                log.error("pool {} backend {}: weight update failed", pool.name(), b.id(), e);
            }
        }
    }
}
