package io.fulcrum.proxy.daemon;

import io.fulcrum.health.HealthStatus;
import io.fulcrum.proxy.backend.Backend;
import io.fulcrum.proxy.backend.BackendPool;
import io.fulcrum.proxy.backend.Pools;
import io.fulcrum.proxy.config.BackendConfig;
import io.fulcrum.proxy.config.FulcrumConfig;
import io.fulcrum.proxy.config.InvalidConfigException;
import io.fulcrum.proxy.config.ListenerConfig;
import io.fulcrum.proxy.config.PoolConfig;
import io.fulcrum.proxy.config.RouteConfig;
import io.fulcrum.proxy.server.ListenerContext;
import io.fulcrum.proxy.server.ProxyServer;
import io.fulcrum.proxy.server.Routes;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a new, validated config to the running daemon as a difference (SPEC section 3, issue 6).
 *
 * <p>Order matters for "each request sees the old routing or the new, never a mix" and for "a bind
 * failure changes nothing": new listeners are bound first (and unbound again if one fails); then new
 * pools and backends are added and kept pools reconfigured; then every listener's routing table is
 * swapped in one volatile write; only then are removed listeners stopped and removed pools and
 * backends drained out. Backends that stay keep their health, load history, counters and pooled
 * connections, because they are the same objects. Backends added through the admin API are never
 * removed by a reload (they win over the file, SPEC section 7).
 *
 * <p>Threading: called with the daemon's monitor held, off the event loops.
 */
final class ConfigApplier {

    private static final Logger log = LoggerFactory.getLogger(ConfigApplier.class);

    private final ProxyServer server;
    private final Pools pools;
    private final Map<String, ListenerContext> listeners;
    private final Map<String, InetSocketAddress> addresses;
    private final Function<ListenerConfig, ListenerContext> newListener;

    ConfigApplier(ProxyServer server, Pools pools, Map<String, ListenerContext> listeners,
                  Map<String, InetSocketAddress> addresses, Function<ListenerConfig, ListenerContext> newListener) {
        this.server = server;
        this.pools = pools;
        this.listeners = listeners;
        this.addresses = addresses;
        this.newListener = newListener;
    }

    void apply(FulcrumConfig old, FulcrumConfig next) throws InvalidConfigException {
        Map<String, ListenerConfig> oldListeners = byName(old.listeners());
        Map<String, ListenerConfig> nextListeners = byName(next.listeners());

        // 1. New pools, empty for now: nothing routes to them yet, and a failed bind takes them back.
        List<PoolConfig> newPools = new ArrayList<>();
        for (PoolConfig pc : next.pools().values()) {
            if (pools.pool(pc.name()) == null) {
                pools.addPool(pc, List.of());
                newPools.add(pc);
            }
        }

        // 2. Bind what is new (or moved), routes ready: a port that cannot be had rejects the reload whole.
        List<String> boundNow = new ArrayList<>();
        Map<String, ListenerContext> fresh = new HashMap<>();
        for (ListenerConfig lc : next.listeners()) {
            ListenerConfig before = oldListeners.get(lc.name());
            if (before != null && before.bind().equals(lc.bind()) && before.tls().equals(lc.tls())) {
                continue;
            }
            if (before != null) {
                // Same name, new address: the old socket must go first or the new one may not bind.
                server.unbind(lc.name());
            }
            ListenerContext ctx = null;
            try {
                ctx = newListener.apply(lc);
                ctx.routes(routes(lc));
                ctx.update(next.limits(), next.timeouts());
                addresses.put(lc.name(), server.bind(ctx, lc.bind()));
            } catch (RuntimeException e) {
                for (String name : boundNow) {
                    server.unbind(name);
                }
                rebindMoved(oldListeners, nextListeners, boundNow, lc.name());
                for (PoolConfig pc : newPools) {
                    pools.removePool(pc.name());
                }
                throw new InvalidConfigException(List.of(next.source() + ": " + e.getMessage()));
            }
            boundNow.add(lc.name());
            fresh.put(lc.name(), ctx);
        }

        // 3. Backends: new pools get theirs; kept pools are reconfigured and their backends diffed.
        for (PoolConfig pc : next.pools().values()) {
            BackendPool pool = pools.pool(pc.name());
            if (newPools.contains(pc)) {
                for (BackendConfig bc : pc.backends()) {
                    pools.addBackend(pool, bc.address(), bc.weight(), Backend.Source.CONFIG, initialHealth(pc));
                }
            } else {
                if (!pc.equals(pool.config())) {
                    pools.reconfigure(pool, pc);
                }
                diffBackends(pool, old.pools().get(pc.name()), pc);
            }
        }

        // 4. Switch routing of kept listeners: one volatile write each; limits and timeouts for new connections.
        for (ListenerConfig lc : next.listeners()) {
            ListenerContext ctx = fresh.get(lc.name());
            if (ctx == null) {
                ctx = listeners.get(lc.name());
                ctx.routes(routes(lc));
                ctx.update(next.limits(), next.timeouts());
            }
            listeners.put(lc.name(), ctx);
        }
        server.clients().limit(next.limits().maxConnections());

        // 5. Retire what is gone: listeners stop accepting (their connections finish), pools leave.
        for (String name : oldListeners.keySet()) {
            if (!nextListeners.containsKey(name)) {
                server.unbind(name);
                listeners.remove(name);
                addresses.remove(name);
            }
        }
        Set<String> removedPools = new HashSet<>(old.pools().keySet());
        removedPools.removeAll(next.pools().keySet());
        for (String name : removedPools) {
            pools.removePool(name);
        }
        if (next.threads() != old.threads()) {
            log.warn("threads changed from {} to {}: the event loops keep their number until a restart",
                    old.threads(), next.threads());
        }
        if (!next.admin().equals(old.admin())) {
            log.warn("admin settings changed: they take effect at the next restart");
        }
    }

    /** After a failed bind: put back the sockets of listeners that were moved before the failure. */
    private void rebindMoved(Map<String, ListenerConfig> oldListeners, Map<String, ListenerConfig> nextListeners,
                             List<String> boundNow, String failed) {
        for (String name : nextListeners.keySet()) {
            ListenerConfig before = oldListeners.get(name);
            boolean moved = before != null && (boundNow.contains(name) || name.equals(failed));
            if (moved && !server.isBound(name)) {
                addresses.put(name, server.bind(listeners.get(name), before.bind()));
            }
        }
    }

    private void diffBackends(BackendPool pool, PoolConfig oldConfig, PoolConfig next) {
        Map<String, BackendConfig> wanted = new HashMap<>();
        for (BackendConfig bc : next.backends()) {
            wanted.put(bc.address().toString(), bc);
        }
        Map<String, BackendConfig> before = new HashMap<>();
        for (BackendConfig bc : oldConfig.backends()) {
            before.put(bc.address().toString(), bc);
        }
        for (Backend b : pool.backends()) {
            BackendConfig bc = wanted.remove(b.id());
            if (b.source() == Backend.Source.API) {
                continue;
            }
            if (bc == null) {
                // Removed from the file: drained, then removed; requests in flight finish.
                pools.drain(pool, b).whenComplete((x, e) -> pools.removeBackend(pool, b));
            } else {
                BackendConfig was = before.get(b.id());
                if (was == null || was.weight() != bc.weight()) {
                    pools.setWeight(pool, b, bc.weight());
                }
            }
        }
        for (BackendConfig bc : wanted.values()) {
            pools.addBackend(pool, bc.address(), bc.weight(), Backend.Source.CONFIG, initialHealth(next));
        }
    }

    /**
     * A backend that appears at runtime gets traffic only after it passes {@code rise} probes (SPEC
     * section 5) — unless its pool does not probe, in which case nothing would ever say it is up.
     */
    static HealthStatus initialHealth(PoolConfig pool) {
        return "none".equals(pool.health().type()) ? HealthStatus.UP : HealthStatus.UNKNOWN;
    }

    Routes routes(ListenerConfig lc) {
        List<Routes.Route> list = new ArrayList<>();
        for (RouteConfig rc : lc.routes()) {
            list.add(new Routes.Route(rc.host().map(h -> h.toLowerCase(Locale.ROOT)).orElse(null), rc.pathPrefix(),
                    Objects.requireNonNull(pools.pool(rc.pool()), rc.pool())));
        }
        return new Routes(list);
    }

    private static Map<String, ListenerConfig> byName(List<ListenerConfig> list) {
        Map<String, ListenerConfig> m = new java.util.LinkedHashMap<>();
        for (ListenerConfig lc : list) {
            m.put(lc.name(), lc);
        }
        return m;
    }
}
