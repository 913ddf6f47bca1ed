package io.fulcrum.proxy.daemon;

import io.fulcrum.health.HealthStatus;
import io.fulcrum.proxy.backend.AdminState;
import io.fulcrum.proxy.backend.Backend;
import io.fulcrum.proxy.backend.BackendPool;
import io.fulcrum.proxy.backend.Pools;
import io.fulcrum.proxy.config.BackendConfig;
import io.fulcrum.proxy.config.FulcrumConfig;
import io.fulcrum.proxy.config.ListenerConfig;
import io.fulcrum.proxy.config.PoolConfig;
import io.fulcrum.proxy.config.RouteConfig;
import io.fulcrum.proxy.lb.Strategies;
import io.fulcrum.proxy.server.ListenerContext;
import io.fulcrum.proxy.server.ProxyServer;
import io.fulcrum.proxy.server.Routes;
import io.fulcrum.proxy.upstream.ExchangeEvents;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
            warnIfNotBuilt(pc);
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

    private static void warnIfNotBuilt(PoolConfig pc) {
        if (!Strategies.isBuilt(pc.strategy())) {
            log.warn("pool {}: strategy {} is not built yet; balancing round-robin until it is", pc.name(),
                    pc.strategy());
        }
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
