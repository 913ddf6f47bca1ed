package io.fulcrum.proxy.daemon;

import io.fulcrum.health.HealthStatus;
import io.fulcrum.proxy.backend.AdminState;
import io.fulcrum.proxy.backend.Backend;
import io.fulcrum.proxy.backend.BackendPool;
import io.fulcrum.proxy.backend.Pools;
import io.fulcrum.proxy.backend.LoadSource;
import io.fulcrum.proxy.config.BackendConfig;
import io.fulcrum.proxy.config.ConfigLoader;
import io.fulcrum.proxy.config.InvalidConfigException;
import io.fulcrum.proxy.config.FulcrumConfig;
import io.fulcrum.proxy.config.ListenerConfig;
import io.fulcrum.proxy.config.PoolConfig;
import io.fulcrum.proxy.config.RouteConfig;
import io.fulcrum.proxy.server.ListenerContext;
import io.fulcrum.proxy.server.ProxyServer;
import io.fulcrum.proxy.server.Routes;
import io.fulcrum.proxy.upstream.ExchangeEvents;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
    private final Map<String, ListenerContext> listeners = new LinkedHashMap<>();
    private final Map<String, InetSocketAddress> addresses = new LinkedHashMap<>();
    private volatile FulcrumConfig config;
    private volatile ExchangeEvents events = ExchangeEvents.NONE;
    private volatile LoadSource loadSource = LoadSource.NONE;
    private volatile ReloadStatus reloadStatus = new ReloadStatus(1, null, true, List.of());
    private final List<Consumer<ReloadStatus>> reloadListeners = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private Daemon(FulcrumConfig config) {
        this.config = config;
        this.server = new ProxyServer(config.threads(), config.limits().maxConnections());
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
        });
    }

    /** Builds and starts everything; on failure, whatever was started is stopped again. */
    public static Daemon start(FulcrumConfig config) {
        Daemon d = new Daemon(config);
        try {
            d.startAll();
            return d;
        } catch (RuntimeException e) {
            d.stopAll(Duration.ZERO);
            throw e;
        }
    }

    private void startAll() {
        for (PoolConfig pc : config.pools().values()) {
            List<Backend> backends = new ArrayList<>();
            for (BackendConfig bc : pc.backends()) {
                backends.add(new Backend(bc.address(), bc.address().resolve(), bc.weight(), Backend.Source.CONFIG,
                        HealthStatus.UP));
            }
            pools.addPool(pc, backends);
        }
        for (ListenerConfig lc : config.listeners()) {
            ListenerContext ctx = new ListenerContext(lc.name(), lc.tls().isPresent() ? "https" : "http",
                    routes(lc), config.limits(), config.timeouts(), server.upstream(), server.clients(), events);
            listeners.put(lc.name(), ctx);
            addresses.put(lc.name(), server.bind(ctx, lc.bind()));
        }
        log.info("fulcrum started: {} listener(s), {} pool(s), {} backend(s), transport {}", listeners.size(),
                pools.all().size(), pools.all().stream().mapToInt(p -> p.backends().size()).sum(),
                server.transportName());
    }

    private Routes routes(ListenerConfig lc) {
        List<Routes.Route> list = new ArrayList<>();
        for (RouteConfig rc : lc.routes()) {
            list.add(new Routes.Route(rc.host().map(h -> h.toLowerCase(Locale.ROOT)).orElse(null), rc.pathPrefix(),
                    pools.pool(rc.pool())));
        }
        return new Routes(list);
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
        try {
            FulcrumConfig next = ConfigLoader.load(config.source());
            apply(next);
            config = next;
            reloaded(new ReloadStatus(reloadStatus.generation() + 1, Instant.now(), true, List.of()));
            log.info("config reloaded from {}: generation {}", next.source(), reloadStatus.generation());
            return reloadStatus.generation();
        } catch (InvalidConfigException e) {
            reloaded(new ReloadStatus(reloadStatus.generation(), Instant.now(), false, e.errors()));
            log.error("config reload rejected, the running config stays:\n  {}", String.join("\n  ", e.errors()));
            throw e;
        }
    }

    private void reloaded(ReloadStatus status) {
        reloadStatus = status;
        reloadListeners.forEach(l -> l.accept(status));
    }

    /** Applies a validated config as a difference to what runs. */
    private void apply(FulcrumConfig next) throws InvalidConfigException {
        throw new InvalidConfigException(List.of(next.source() + ": reload is not built yet; restart to apply"));
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
        server.shutdown(grace);
        control.shutdownNow();
        try {
            control.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
