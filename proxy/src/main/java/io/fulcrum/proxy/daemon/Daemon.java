package io.fulcrum.proxy.daemon;

import io.fulcrum.admin.server.AdminServer;
import io.fulcrum.admin.state.StateStore;
import io.fulcrum.health.HealthStatus;
import io.fulcrum.proxy.admin.DaemonAdminService;
import io.fulcrum.proxy.backend.AdminState;
import io.fulcrum.proxy.backend.Backend;
import io.fulcrum.proxy.backend.BackendPool;
import io.fulcrum.proxy.backend.Pools;
import io.fulcrum.proxy.accesslog.AccessLog;
import io.fulcrum.proxy.backend.LoadSource;
import io.fulcrum.proxy.config.BackendConfig;
import io.fulcrum.proxy.config.ConfigLoader;
import io.fulcrum.proxy.config.InvalidConfigException;
import io.fulcrum.proxy.config.FulcrumConfig;
import io.fulcrum.proxy.config.ListenerConfig;
import io.fulcrum.proxy.config.PoolConfig;
import io.fulcrum.proxy.health.BackendHealth;
import io.fulcrum.proxy.metrics.DaemonMetrics;
import io.fulcrum.proxy.server.ListenerContext;
import io.fulcrum.proxy.server.ProxyServer;
import io.fulcrum.proxy.server.Routes;
import io.fulcrum.proxy.server.tls.TlsContexts;
import io.fulcrum.proxy.upstream.ExchangeEvents;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running daemon: pools built from the config, listeners bound, and everything that a start,
 * a reload or a stop changes. Start and stop run on the caller's thread (main), never on an event
 * loop; runtime changes run on the control thread or the admin worker, never on an event loop.
 */
public final class Daemon implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Daemon.class);

    private final ProxyServer server;
    /** Off-path work: drain watching, weight updates, reload debouncing. One thread. */
    private final ScheduledExecutorService control = Executors.newSingleThreadScheduledExecutor(
            new DefaultThreadFactory("fulcrum-control", true));
    private final Pools pools = new Pools(control);
    private final Map<String, ListenerContext> listeners = new ConcurrentHashMap<>();
    private final Map<String, InetSocketAddress> addresses = new ConcurrentHashMap<>();
    private final ConfigApplier applier;
    private volatile FulcrumConfig config;
    private volatile ExchangeEvents events = ExchangeEvents.NONE;
    private volatile LoadSource loadSource = LoadSource.NONE;
    private volatile ReloadStatus reloadStatus = new ReloadStatus(1, null, true, List.of());
    private final List<Consumer<ReloadStatus>> reloadListeners = new CopyOnWriteArrayList<>();
    private volatile boolean closed;
    private ConfigWatcher watcher;
    /** Null when access-log.path is empty. */
    private volatile AccessLog accessLog;
    /** Probes, load reports, dynamic weights, outlier ejection; made in startAll(), closed in stopAll(). */
    private BackendHealth health;
    // Metrics, the admin API and its state file; set by startAll, null if the start failed before them.
    private DaemonMetrics metrics;
    private DaemonAdminService admin;
    private AdminServer adminServer;

    private Daemon(FulcrumConfig config) {
        this.config = config;
        this.server = new ProxyServer(config.threads(), config.limits().maxConnections());
        this.applier = new ConfigApplier(server, pools, listeners, addresses, this::newListener,
                new ConfigApplier.OperatorChanges() {
                    @Override
                    public boolean removed(String pool, String id) {
                        return admin != null && admin.state().get(pool, id).map(o -> o.removed()).orElse(false);
                    }

                    @Override
                    public boolean weightPinned(String pool, String id) {
                        return admin != null && admin.state().get(pool, id).map(o -> o.weight().isPresent()).orElse(false);
                    }
                });
        // Backends that leave service keep no idle pooled connections.
        pools.addListener(new Pools.Listener() {
            @Override
            public void backendRemoved(BackendPool pool, Backend backend) {
                server.upstream().closeIdle(backend);
            }

            @Override
            public void backendChanged(BackendPool pool, Backend backend) {
                if (backend.adminState() != AdminState.ACTIVE) {
                    server.upstream().closeIdle(backend);
                }
            }

            @Override
            public void backendCut(BackendPool pool, Backend backend) {
                server.upstream().closeAll(backend);
            }
        });
    }

    /** Builds and starts everything; on failure, whatever was started is stopped again. */
    public static Daemon start(FulcrumConfig config) {
        return start(config, false);
    }

    /**
     * As {@link #start(FulcrumConfig)}; with {@code settleHeap}, one full collection just before the
     * listeners are bound ({@link StartupHeap}): for the daemon process, which owns its JVM, not for a
     * daemon embedded beside other work (the tests).
     */
    public static Daemon start(FulcrumConfig config, boolean settleHeap) {
        Daemon d = new Daemon(config);
        try {
            d.startAll(settleHeap);
            return d;
        } catch (RuntimeException e) {
            d.stopAll(Duration.ZERO);
            throw e;
        }
    }

    private void startAll(boolean settleHeap) {
        // Health first: it hears of every pool added below, and its events reach the listeners bound after.
        health = new BackendHealth(control, server.transport());
        pools.addListener(health);
        events = ExchangeEvents.both(events, health.exchangeEvents());
        loadSource = health;
        for (PoolConfig pc : config.pools().values()) {
            List<Backend> backends = new ArrayList<>();
            for (BackendConfig bc : pc.backends()) {
                backends.add(new Backend(bc.address(), bc.address().resolve(), bc.weight(), Backend.Source.CONFIG,
                        HealthStatus.UP));
            }
            pools.addPool(pc, backends);
        }
        // Metrics before the listeners (they get the events at creation); the state file over the
        // pools before any traffic; both re-done on every reload.
        metrics = new DaemonMetrics(pools, this::loadSource, reloadStatus);
        events = ExchangeEvents.both(events, metrics.events());
        admin = DaemonAdminService.open(DaemonAdminService.Hooks.of(this, metrics),
                new StateStore(config.admin().stateFile()), Clock.systemUTC());
        onReload(s -> {
            metrics.reloaded(s);
            metrics.listenersChanged(listeners.values());
            if (s.lastOk()) {
                admin.reapply();
            }
        });
        accessLog = AccessLog.open(config.accessLog());
        if (settleHeap) {
            StartupHeap.settle(); // what is built above lives as long as the daemon; no request waits yet
        }
        for (ListenerConfig lc : config.listeners()) {
            ListenerContext ctx = newListener(lc);
            ctx.routes(applier.routes(lc));
            listeners.put(lc.name(), ctx);
            addresses.put(lc.name(), server.bind(ctx, lc.bind()));
        }
        watcher = ConfigWatcher.start(config.source(), control, this::reloadIfFilesChanged);
        metrics.listenersChanged(listeners.values());
        adminServer = AdminServer.start(config.admin().bind().resolve(), config.admin().token(), admin);
        log.info("fulcrum started: {} listener(s), {} pool(s), {} backend(s), transport {}", listeners.size(),
                pools.all().size(), pools.all().stream().mapToInt(p -> p.backends().size()).sum(),
                server.transportName());
    }

    /** A listener's shared state; its routes are set by the caller once the pools exist. */
    private ListenerContext newListener(ListenerConfig lc) {
        FulcrumConfig c = config;
        ListenerContext ctx = new ListenerContext(lc.name(), lc.tls().map(TlsContexts::build).orElse(null),
                new Routes(List.of()), c.limits(), c.timeouts(), server.upstream(), server.clients(), events);
        ctx.accessLog(accessLog);
        return ctx;
    }

    public FulcrumConfig config() {
        return config;
    }

    public Pools pools() {
        return pools;
    }

    /** The daemon's control thread, for off-path periodic work. */
    public ScheduledExecutorService control() {
        return control;
    }

    /** Where each listener is bound (useful with port 0). */
    public InetSocketAddress listenerAddress(String name) {
        return addresses.get(name);
    }

    public ProxyServer server() {
        return server;
    }

    /** Where backends' last load reports are read (set by the health component). */
    public LoadSource loadSource() {
        return loadSource;
    }

    public void loadSource(LoadSource source) {
        this.loadSource = source;
    }

    /** The daemon's metrics registry; null before the start. */
    public DaemonMetrics metrics() {
        return metrics;
    }

    /** The admin API's service (state file, runtime changes); null before the start. */
    public DaemonAdminService admin() {
        return admin;
    }

    /** Where the admin API is bound (useful with port 0); null before the start. */
    public InetSocketAddress adminAddress() {
        return adminServer == null ? null : adminServer.localAddress();
    }

    public ReloadStatus reloadStatus() {
        return reloadStatus;
    }

    /** Called after every reload attempt, applied or rejected, on the reloading thread. */
    public void onReload(Consumer<ReloadStatus> listener) {
        reloadListeners.add(listener);
    }

    /**
     * Reloads the config file (SPEC section 3): parses and validates it whole first; an invalid one
     * changes nothing and is thrown back; a valid one is applied as a difference and the generation
     * goes up by one. Serialised; call off the event loops (it reads files and binds sockets).
     *
     * @return the new generation
     */
    public synchronized long reload() throws InvalidConfigException {
        if (watcher != null) {
            watcher.loaded();
        }
        try {
            FulcrumConfig next = ConfigLoader.load(config.source());
            apply(next);
            config = next;
            reopenAccessLog(next);
            reloaded(new ReloadStatus(reloadStatus.generation() + 1, Instant.now(), true, List.of()));
            log.info("config reloaded from {}: generation {}", next.source(), reloadStatus.generation());
            return reloadStatus.generation();
        } catch (InvalidConfigException e) {
            reloaded(new ReloadStatus(reloadStatus.generation(), Instant.now(), false, e.errors()));
            log.error("config reload rejected, the running config stays:\n  {}", String.join("\n  ", e.errors()));
            throw e;
        }
    }

    /**
     * A reload reopens the access log (so logrotate's {@code kill -HUP} postrotate works), opens it if it
     * was just turned on, or stops it if turned off.
     */
    private void reopenAccessLog(FulcrumConfig next) {
        AccessLog current = accessLog;
        AccessLog now;
        if (next.accessLog().path().isEmpty()) {
            now = null;
        } else if (current == null) {
            now = AccessLog.open(next.accessLog());
        } else {
            current.reopen(next.accessLog());
            now = current;
        }
        accessLog = now;
        listeners.values().forEach(l -> l.accessLog(now));
        if (current != null && now == null) {
            current.close();
        }
    }

    /** The file watcher's reload: only when the files' content changed since the last load of any kind. */
    private synchronized void reloadIfFilesChanged() {
        if (watcher != null && watcher.changedSinceLoad()) {
            log.info("{} changed: reloading", config.source());
            reloadQuietly();
        }
    }

    /** Reload for a signal or a file change: the outcome is logged and in {@link #reloadStatus()}. */
    public void reloadQuietly() {
        try {
            reload();
        } catch (InvalidConfigException e) {
            // already logged and recorded
        } catch (RuntimeException e) {
            log.error("config reload failed: {}", e.toString());
        }
    }

    private void reloaded(ReloadStatus status) {
        reloadStatus = status;
        reloadListeners.forEach(l -> l.accept(status));
    }

    /** Applies a validated config as a difference to what runs. */
    private void apply(FulcrumConfig next) throws InvalidConfigException {
        applier.apply(config, next);
    }

    /** Graceful stop: stop accepting, let in-flight requests finish for up to shutdown-grace. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        log.info("fulcrum stopping (grace {})", config.timeouts().shutdownGrace());
        stopAll(config.timeouts().shutdownGrace());
        log.info("fulcrum stopped");
    }

    private void stopAll(Duration grace) {
        if (adminServer != null) {
            adminServer.close();
        }
        if (watcher != null) {
            watcher.close();
        }
        server.shutdown(grace);
        if (health != null) {
            health.close();
        }
        control.shutdownNow();
        try {
            control.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (metrics != null) {
            metrics.close();
        }
        if (accessLog != null) {
            accessLog.close();
        }
    }
}
