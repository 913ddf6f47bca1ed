package io.fulcrum.proxy.admin;

import io.fulcrum.admin.AdminException;
import io.fulcrum.admin.AdminService;
import io.fulcrum.admin.BackendPatch;
import io.fulcrum.admin.BackendState;
import io.fulcrum.admin.BackendView;
import io.fulcrum.admin.DrainStarted;
import io.fulcrum.admin.LastReload;
import io.fulcrum.admin.PoolView;
import io.fulcrum.admin.ReloadResult;
import io.fulcrum.admin.StatusView;
import io.fulcrum.admin.state.RuntimeState;
import io.fulcrum.admin.state.StateFileException;
import io.fulcrum.admin.state.StateOverride;
import io.fulcrum.admin.state.StateStore;
import io.fulcrum.health.HealthStatus;
import io.fulcrum.proxy.backend.AdminState;
import io.fulcrum.proxy.backend.Backend;
import io.fulcrum.proxy.backend.BackendPool;
import io.fulcrum.proxy.backend.DrainInterruptedException;
import io.fulcrum.proxy.backend.LoadSource;
import io.fulcrum.proxy.backend.Pools;
import io.fulcrum.proxy.cli.Version;
import io.fulcrum.proxy.config.HostPort;
import io.fulcrum.proxy.config.InvalidConfigException;
import io.fulcrum.proxy.daemon.Daemon;
import io.fulcrum.proxy.daemon.ReloadStatus;
import io.fulcrum.proxy.metrics.DaemonMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's side of the admin API: every call of {@link AdminService} on the running pools, each
 * change written to the state file before it is applied and before the call returns.
 *
 * <p><b>Threading.</b> The admin server calls every method on its one worker thread. A mutating call
 * holds the {@link Pools} monitor from its check ("does the backend exist?") through the state-file
 * save to the change itself, so a reload's diff or the re-application of the state cannot slip in
 * between (they take the same monitor). The save (an fsync, a few milliseconds) therefore delays
 * reloads and drain bookkeeping, never the request path, which takes no lock. {@link #reload} holds
 * no monitor of ours: the daemon's reload takes its own, then ours through {@link #reapply}, always in
 * that order.
 *
 * <p><b>Removal after a drain.</b> {@code DELETE} without force records the removal at once, drains,
 * and removes the backend on the control thread when it is drained. {@code PATCH} of such a backend
 * before that cancels the removal (and records the backend again); a drain call leaves it pending.
 */
public final class DaemonAdminService implements AdminService {

    private static final Logger log = LoggerFactory.getLogger(DaemonAdminService.class);

    /** What the service needs of the daemon; a record of functions so tests can build one around bare pools. */
    public record Hooks(Pools pools, Supplier<LoadSource> loads, Supplier<ReloadStatus> reloadStatus,
                        ReloadAction reload, Supplier<String> scrape, Executor control, String version) {

        /** The running daemon's: its pools, load source, reload, control thread, and the metrics' scrape. */
        public static Hooks of(Daemon daemon, DaemonMetrics metrics) {
            return new Hooks(daemon.pools(), daemon::loadSource, daemon::reloadStatus, daemon::reload,
                    metrics::scrape, daemon.control(), Version.get());
        }
    }

    /** The daemon's reload: returns the new generation or throws with every error. */
    public interface ReloadAction {
        long reload() throws InvalidConfigException;
    }

    private final Hooks hooks;
    private final Pools pools;
    private final StateStore store;
    private final Clock clock;
    private final Instant started;
    /** Written under the Pools monitor, read by {@link #reapply} (same monitor) and for tests. */
    private volatile RuntimeState state;
    /** Backends a DELETE is draining before their removal. */
    private final Set<Backend> removing = ConcurrentHashMap.newKeySet();

    private DaemonAdminService(Hooks hooks, StateStore store, RuntimeState state, Clock clock) {
        this.hooks = hooks;
        this.pools = hooks.pools();
        this.store = store;
        this.state = state;
        this.clock = clock;
        this.started = clock.instant();
    }

    /**
     * Loads the state file and lays it over the pools; call after the pools are built and before the
     * listeners bind, off the event loops.
     *
     * @throws StateFileStartException when the state file is unreadable or corrupt (the message names
     *                                 it): the daemon must not start without the operators' changes
     */
    public static DaemonAdminService open(Hooks hooks, StateStore store, Clock clock) {
        RuntimeState loaded;
        try {
            loaded = store.load();
        } catch (StateFileException e) {
            throw new StateFileStartException(e.getMessage(), e);
        }
        DaemonAdminService service = new DaemonAdminService(hooks, store, loaded, clock);
        try {
            RuntimeStateApplier.apply(loaded, hooks.pools());
        } catch (IllegalArgumentException e) {
            throw new StateFileStartException("state file " + store.file() + ": " + e.getMessage()
                    + " (fix or move it away; it holds the changes operators made through the admin API)", e);
        }
        if (!loaded.isEmpty()) {
            log.info("admin API changes re-applied from {}", store.file());
        }
        return service;
    }

    /** Lays the stored changes over the pools again: the reload calls this after applying its diff. */
    public void reapply() {
        RuntimeStateApplier.apply(state, pools);
    }

    /** What is stored now (tests, diagnostics). */
    public RuntimeState state() {
        return state;
    }

    @Override
    public StatusView status() {
        ReloadStatus r = hooks.reloadStatus().get();
        LastReload last = r.lastAt() == null ? LastReload.NONE
                : new LastReload(r.lastOk() ? LastReload.Result.OK : LastReload.Result.FAILED, r.lastAt(),
                r.lastOk() ? List.of() : r.lastErrors());
        Duration uptime = Duration.between(started, clock.instant());
        return new StatusView(hooks.version(), uptime.isNegative() ? Duration.ZERO : uptime, r.generation(), last);
    }

    @Override
    public List<PoolView> pools() {
        List<PoolView> all = new ArrayList<>();
        LoadSource loads = hooks.loads().get();
        for (BackendPool p : pools.all()) {
            all.add(BackendViews.pool(p, loads));
        }
        return all;
    }

    @Override
    public PoolView pool(String pool) {
        return BackendViews.pool(pool(pools, pool), hooks.loads().get());
    }

    @Override
    public BackendView addBackend(String pool, String address, int weight) {
        HostPort hp;
        try {
            hp = HostPort.parse(address);
        } catch (IllegalArgumentException e) {
            throw AdminException.badRequest(e.getMessage());
        }
        String id = hp.toString();
        synchronized (pools) {
            BackendPool p = pool(pools, pool);
            if (p.find(id).isPresent()) {
                throw AdminException.backendExists(pool, id);
            }
            save(state.withAdded(pool, id, weight));
            Backend b = pools.addBackend(p, hp, weight, Backend.Source.API, HealthStatus.UNKNOWN);
            return view(b);
        }
    }

    @Override
    public BackendView patchBackend(String pool, String id, BackendPatch patch) {
        synchronized (pools) {
            BackendPool p = pool(pools, pool);
            Backend b = backend(p, pool, id);
            RuntimeState next = state;
            boolean cancelsRemoval = removing.contains(b);
            if (cancelsRemoval && b.source() == Backend.Source.API) {
                // The pending DELETE forgot it; being patched, it stays, so it is recorded again.
                next = next.withAdded(pool, id, b.weight());
            }
            if (patch.weight().isPresent()) {
                next = next.withWeight(pool, id, patch.weight().getAsInt());
            }
            if (patch.state().isPresent()) {
                next = next.withState(pool, id, patch.state().get() == BackendState.DISABLED
                        ? Optional.of(StateOverride.DISABLED) : Optional.empty());
            } else if (cancelsRemoval) {
                // A weight change to a backend being removed keeps it, draining as it is.
                next = next.withState(pool, id, Optional.of(StateOverride.DRAINING));
            }
            save(next);
            if (cancelsRemoval) {
                removing.remove(b);
                log.info("pool {}: pending removal of backend {} cancelled by a PATCH", pool, id);
            }
            if (patch.weight().isPresent()) {
                pools.setWeight(p, b, patch.weight().getAsInt());
            }
            if (patch.state().isPresent()) {
                pools.setAdminState(p, b, patch.state().get() == BackendState.DISABLED
                        ? AdminState.DISABLED : AdminState.ACTIVE);
            }
            return view(b);
        }
    }

    @Override
    public DrainStarted drain(String pool, String id) {
        synchronized (pools) {
            BackendPool p = pool(pools, pool);
            Backend b = backend(p, pool, id);
            if (!removing.contains(b)) {
                // A backend a DELETE is draining stays recorded as removed.
                save(state.withState(pool, id, Optional.of(StateOverride.DRAINING)));
            }
            CompletableFuture<Backend> done = pools.drain(p, b);
            return new DrainStarted(view(b), drainedView(done, pool, id));
        }
    }

    @Override
    public BackendView removeBackend(String pool, String id, boolean force) {
        synchronized (pools) {
            BackendPool p = pool(pools, pool);
            Backend b = backend(p, pool, id);
            save(state.withRemoved(pool, id));
            if (force) {
                removing.remove(b);
                pools.removeBackend(p, b);
                return view(b);
            }
            removing.add(b);
            pools.drain(p, b).whenCompleteAsync((drained, err) -> removeIfStillPending(p, b, err), hooks.control());
            return view(b);
        }
    }

    /** On the control thread, once the DELETE's drain ended. */
    private void removeIfStillPending(BackendPool p, Backend b, Throwable err) {
        synchronized (pools) {
            if (!removing.remove(b)) {
                return;
            }
            if (err == null && !b.isRemoved() && b.adminState() == AdminState.DRAINED) {
                pools.removeBackend(p, b);
                log.info("pool {}: backend {} drained and removed", p.name(), b.id());
            }
        }
    }

    @Override
    public ReloadResult reload() {
        try {
            return ReloadResult.applied(hooks.reload().reload());
        } catch (InvalidConfigException e) {
            return ReloadResult.rejected(e.errors().isEmpty() ? List.of("the config is invalid") : e.errors());
        }
    }

    @Override
    public String prometheusScrape() {
        return hooks.scrape().get();
    }

    private BackendView view(Backend b) {
        return BackendViews.backend(b, hooks.loads().get());
    }

    /** Maps the Pools drain to what the admin API expects: the drained view, or 409 / 404. */
    private CompletableFuture<BackendView> drainedView(CompletableFuture<Backend> done, String pool, String id) {
        return done.handle((b, err) -> {
            if (err == null) {
                return view(b);
            }
            Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
            if (cause instanceof DrainInterruptedException d) {
                if (d.backend().isRemoved()) {
                    throw AdminException.unknownBackend(pool, id);
                }
                throw new AdminException(409, "drain cancelled", "backend '" + id + "' of pool '" + pool
                        + "' is now " + d.backend().adminState().word() + ", not draining");
            }
            throw new CompletionException(cause);
        });
    }

    /** Saves the next state, then makes it current; nothing is applied when the save fails. */
    private void save(RuntimeState next) {
        try {
            store.save(next);
        } catch (StateFileException e) {
            log.error("admin change refused: {}", e.getMessage());
            throw AdminException.notSaved(e);
        }
        state = next;
    }

    private static BackendPool pool(Pools pools, String name) {
        BackendPool p = pools.pool(name);
        if (p == null) {
            throw AdminException.unknownPool(name);
        }
        return p;
    }

    private static Backend backend(BackendPool p, String pool, String id) {
        return p.find(id).orElseThrow(() -> AdminException.unknownBackend(pool, id));
    }
}
