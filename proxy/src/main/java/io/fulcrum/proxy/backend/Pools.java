package io.fulcrum.proxy.backend;

import io.fulcrum.health.HealthStatus;
import io.fulcrum.proxy.config.HostPort;
import io.fulcrum.proxy.config.PoolConfig;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The daemon's pools and every change made to them at runtime: by a reload, by the admin API, by a
 * drain completing. Listeners (health probes, metrics, the connection pools, persistence) hear of
 * each change, so none of them polls.
 *
 * <p>Threading: the request path only reads {@link #pool} (one volatile map). Every change runs under
 * this object's monitor, off the event loops, and listeners are called on the changing thread with
 * the monitor held: they must be quick and must not call back into a mutating method.
 */
public final class Pools {

    /** Hears of changes; every method has a no-op default. */
    public interface Listener {
        default void poolAdded(BackendPool pool) {
        }

        default void poolRemoved(BackendPool pool) {
        }

        default void poolReconfigured(BackendPool pool) {
        }

        default void backendAdded(BackendPool pool, Backend backend) {
        }

        default void backendRemoved(BackendPool pool, Backend backend) {
        }

        /** Admin state or configured weight changed. */
        default void backendChanged(BackendPool pool, Backend backend) {
        }
    }

    /** How often a drain checks whether the backend's last request finished. */
    static final long DRAIN_POLL_MILLIS = 20;

    private final ScheduledExecutorService control;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile Map<String, BackendPool> byName = Map.of();

    /** @param control the daemon's control thread, for drain watching */
    public Pools(ScheduledExecutorService control) {
        this.control = control;
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    /** The pool named {@code name}, or null. Any thread. */
    public BackendPool pool(String name) {
        return byName.get(name);
    }

    /** All pools, in config order. Any thread. */
    public Collection<BackendPool> all() {
        return byName.values();
    }

    public synchronized BackendPool addPool(PoolConfig config, List<Backend> backends) {
        BackendPool pool = new BackendPool(config, backends);
        Map<String, BackendPool> next = new LinkedHashMap<>(byName);
        next.put(config.name(), pool);
        byName = java.util.Collections.unmodifiableMap(next);
        listeners.forEach(l -> l.poolAdded(pool));
        return pool;
    }

    public synchronized void removePool(String name) {
        Map<String, BackendPool> next = new LinkedHashMap<>(byName);
        BackendPool pool = next.remove(name);
        if (pool != null) {
            byName = java.util.Collections.unmodifiableMap(next);
            for (Backend b : pool.backends()) {
                pool.remove(b);
            }
            listeners.forEach(l -> l.poolRemoved(pool));
        }
    }

    public synchronized void reconfigure(BackendPool pool, PoolConfig config) {
        pool.reconfigure(config);
        listeners.forEach(l -> l.poolReconfigured(pool));
    }

    /**
     * Adds a backend; resolves its host now (this may block on DNS: never call on an event loop).
     *
     * @param health UP for config backends at start, UNKNOWN for backends that must pass probes first
     */
    public synchronized Backend addBackend(BackendPool pool, HostPort address, int weight, Backend.Source source,
                                           HealthStatus health) {
        Backend b = new Backend(address, address.resolve(), weight, source, health);
        pool.add(b);
        listeners.forEach(l -> l.backendAdded(pool, b));
        return b;
    }

    /** Removes a backend at once; requests in flight to it finish on their connections. */
    public synchronized void removeBackend(BackendPool pool, Backend backend) {
        pool.remove(backend);
        listeners.forEach(l -> l.backendRemoved(pool, backend));
    }

    public synchronized void setWeight(BackendPool pool, Backend backend, int weight) {
        pool.setWeight(backend, weight);
        listeners.forEach(l -> l.backendChanged(pool, backend));
    }

    public synchronized void setSource(BackendPool pool, Backend backend, Backend.Source source) {
        pool.setSource(backend, source);
    }

    /** ACTIVE or DISABLED (a drain ends with DRAINED through {@link #drain}). */
    public synchronized void setAdminState(BackendPool pool, Backend backend, AdminState state) {
        pool.setAdminState(backend, state);
        listeners.forEach(l -> l.backendChanged(pool, backend));
    }

    /**
     * Starts draining: no new requests from now on; completes when the backend has nothing in flight
     * (its state is then DRAINED). Completes exceptionally with {@link DrainInterruptedException} if the
     * backend leaves DRAINING first (re-enabled, disabled or removed).
     */
    public CompletableFuture<Backend> drain(BackendPool pool, Backend backend) {
        synchronized (this) {
            if (backend.adminState() != AdminState.DRAINED) {
                setAdminState(pool, backend, AdminState.DRAINING);
            }
        }
        CompletableFuture<Backend> done = new CompletableFuture<>();
        ScheduledFuture<?>[] task = new ScheduledFuture<?>[1];
        Runnable check = () -> {
            synchronized (this) {
                AdminState s = backend.adminState();
                if (s == AdminState.DRAINED) {
                    done.complete(backend);
                } else if (s != AdminState.DRAINING || backend.isRemoved()) {
                    done.completeExceptionally(new DrainInterruptedException(backend, s));
                } else if (backend.stats().inFlight() == 0) {
                    pool.setAdminState(backend, AdminState.DRAINED);
                    listeners.forEach(l -> l.backendChanged(pool, backend));
                    done.complete(backend);
                }
            }
        };
        task[0] = control.scheduleWithFixedDelay(check, 0, DRAIN_POLL_MILLIS, TimeUnit.MILLISECONDS);
        done.whenComplete((b, e) -> task[0].cancel(false));
        return done;
    }
}
