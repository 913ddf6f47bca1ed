package io.fulcrum.admin.server;

import io.fulcrum.admin.AdminException;
import io.fulcrum.admin.AdminService;
import io.fulcrum.admin.BackendHealth;
import io.fulcrum.admin.BackendPatch;
import io.fulcrum.admin.BackendSource;
import io.fulcrum.admin.BackendState;
import io.fulcrum.admin.BackendView;
import io.fulcrum.admin.DrainStarted;
import io.fulcrum.admin.LastReload;
import io.fulcrum.admin.LoadView;
import io.fulcrum.admin.PoolView;
import io.fulcrum.admin.ReloadResult;
import io.fulcrum.admin.StatusView;
import io.fulcrum.admin.state.RuntimeState;
import io.fulcrum.admin.state.StateFileException;
import io.fulcrum.admin.state.StateOverride;
import io.fulcrum.admin.state.StateStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A stand-in for the daemon (which lives in proxy/, another module): pools and backends in memory,
 * in-flight counts the test sets, and every change saved to a {@link StateStore} before returning,
 * as the contract asks. Records the threads that called it.
 *
 * <p>Threading: service methods are synchronised, and the test thread's {@link #setInFlight} too,
 * since the test plays the data plane concurrently with the admin worker.
 */
final class InMemoryAdminService implements AdminService {

    private static final class Backend {
        final String id;
        final BackendSource source;
        int weight;
        BackendState state = BackendState.ACTIVE;
        int inFlight;
        CompletableFuture<BackendView> drained;
        boolean removeWhenDrained;

        Backend(String id, int weight, BackendSource source) {
            this.id = id;
            this.weight = weight;
            this.source = source;
        }
    }

    private final Map<String, Map<String, Backend>> pools = new LinkedHashMap<>();
    private final StateStore store;
    private RuntimeState state = RuntimeState.empty();
    private ReloadResult nextReload = ReloadResult.applied(2);
    private long generation = 1;
    private LastReload lastReload = LastReload.NONE;
    final Set<String> callerThreads = ConcurrentHashMap.newKeySet();

    InMemoryAdminService(StateStore store) {
        this.store = store;
        Map<String, Backend> web = new LinkedHashMap<>();
        web.put("127.0.0.1:9001", new Backend("127.0.0.1:9001", 100, BackendSource.CONFIG));
        web.put("127.0.0.1:9002", new Backend("127.0.0.1:9002", 50, BackendSource.CONFIG));
        pools.put("web", web);
        pools.put("api", new LinkedHashMap<>());
    }

    /** Plays the data plane: a draining backend whose count reaches 0 is drained (or removed). */
    synchronized void setInFlight(String pool, String id, int n) {
        Backend b = pools.get(pool).get(id);
        b.inFlight = n;
        if (n == 0 && b.state == BackendState.DRAINING) {
            b.state = BackendState.DRAINED;
            if (b.removeWhenDrained) {
                pools.get(pool).remove(id);
            }
            b.drained.complete(view(b));
        }
    }

    synchronized void nextReload(ReloadResult result) {
        this.nextReload = result;
    }

    synchronized Optional<BackendState> stateOf(String pool, String id) {
        return Optional.ofNullable(pools.get(pool).get(id)).map(b -> b.state);
    }

    @Override
    public synchronized StatusView status() {
        called();
        return new StatusView("0.1.0-test", Duration.ofSeconds(3725), generation, lastReload);
    }

    @Override
    public synchronized List<PoolView> pools() {
        called();
        List<PoolView> all = new ArrayList<>();
        pools.keySet().forEach(name -> all.add(poolView(name)));
        return all;
    }

    @Override
    public synchronized PoolView pool(String pool) {
        called();
        backends(pool);
        return poolView(pool);
    }

    @Override
    public synchronized BackendView addBackend(String pool, String address, int weight) {
        called();
        Map<String, Backend> backends = backends(pool);
        if (backends.containsKey(address)) {
            throw AdminException.backendExists(pool, address);
        }
        persist(state.withAdded(pool, address, weight));
        Backend b = new Backend(address, weight, BackendSource.API);
        backends.put(address, b);
        return view(b);
    }

    @Override
    public synchronized BackendView patchBackend(String pool, String id, BackendPatch patch) {
        called();
        Backend b = backend(pool, id);
        RuntimeState next = state;
        if (patch.weight().isPresent()) {
            next = next.withWeight(pool, id, patch.weight().getAsInt());
        }
        if (patch.state().isPresent()) {
            next = next.withState(pool, id, patch.state().get() == BackendState.DISABLED
                    ? Optional.of(StateOverride.DISABLED) : Optional.empty());
        }
        persist(next);
        patch.weight().ifPresent(w -> b.weight = w);
        patch.state().ifPresent(s -> {
            if (b.drained != null && !b.drained.isDone()) {
                b.drained.completeExceptionally(new AdminException(409, "drain cancelled", "backend set " + s.word()));
            }
            b.state = s;
        });
        return view(b);
    }

    @Override
    public synchronized DrainStarted drain(String pool, String id) {
        called();
        Backend b = backend(pool, id);
        persist(state.withState(pool, id, Optional.of(StateOverride.DRAINING)));
        startDrain(b);
        return new DrainStarted(view(b), b.drained);
    }

    @Override
    public synchronized BackendView removeBackend(String pool, String id, boolean force) {
        called();
        Backend b = backend(pool, id);
        persist(state.withRemoved(pool, id));
        if (force) {
            pools.get(pool).remove(id);
            return view(b);
        }
        startDrain(b);
        b.removeWhenDrained = true;
        if (b.state == BackendState.DRAINED) {
            pools.get(pool).remove(id);
        }
        return view(b);
    }

    @Override
    public synchronized ReloadResult reload() {
        called();
        ReloadResult r = nextReload;
        if (r.applied()) {
            generation = r.generation();
            lastReload = new LastReload(LastReload.Result.OK, Instant.parse("2026-01-02T03:04:05Z"), List.of());
        } else {
            lastReload = new LastReload(LastReload.Result.FAILED, Instant.parse("2026-01-02T03:04:05Z"), r.errors());
        }
        return r;
    }

    @Override
    public synchronized String prometheusScrape() {
        called();
        return "# HELP fulcrum_backend_up 1 when the backend is up\n# TYPE fulcrum_backend_up gauge\n"
                + "fulcrum_backend_up{pool=\"web\",backend=\"127.0.0.1:9001\"} 1.0\n";
    }

    private void startDrain(Backend b) {
        if (b.state != BackendState.DRAINING && b.state != BackendState.DRAINED) {
            b.state = b.inFlight == 0 ? BackendState.DRAINED : BackendState.DRAINING;
            b.drained = new CompletableFuture<>();
        }
        if (b.state == BackendState.DRAINED) {
            b.drained.complete(view(b));
        }
    }

    private void persist(RuntimeState next) {
        try {
            store.save(next);
        } catch (StateFileException e) {
            throw AdminException.notSaved(e);
        }
        state = next;
    }

    private void called() {
        callerThreads.add(Thread.currentThread().getName());
    }

    private Map<String, Backend> backends(String pool) {
        Map<String, Backend> backends = pools.get(pool);
        if (backends == null) {
            throw AdminException.unknownPool(pool);
        }
        return backends;
    }

    private Backend backend(String pool, String id) {
        Backend b = backends(pool).get(id);
        if (b == null) {
            throw AdminException.unknownBackend(pool, id);
        }
        return b;
    }

    private PoolView poolView(String name) {
        List<BackendView> views = new ArrayList<>();
        pools.get(name).values().forEach(b -> views.add(view(b)));
        return new PoolView(name, "dynamic", views);
    }

    private static BackendView view(Backend b) {
        LoadView load = b.source == BackendSource.CONFIG
                ? new LoadView(0.42, 17, Instant.parse("2026-01-02T03:04:05Z"))
                : LoadView.NONE;
        return new BackendView(b.id, b.id, b.weight, b.weight / 2, b.state,
                b.source == BackendSource.CONFIG ? BackendHealth.UP : BackendHealth.UNKNOWN,
                b.inFlight, 3, 1000, 7, load, b.source);
    }
}
