package io.fulcrum.proxy.backend;

import io.fulcrum.health.HealthStatus;
import io.fulcrum.proxy.config.PoolConfig;
import io.fulcrum.proxy.lb.Selector;
import io.fulcrum.proxy.lb.Strategies;
import io.fulcrum.proxy.lb.Strategy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pool of backends and its balancing strategy.
 *
 * <p>Threading: the request path calls {@link #select} from any event loop; it reads one volatile
 * {@link Snapshot} and runs its selector, nothing else. Every change (membership, state, weights,
 * settings) happens off the request path under this object's monitor, which then builds a new
 * snapshot and publishes it with one volatile write — the copy-on-write scheme of Envoy and Armeria.
 */
public final class BackendPool {

    private static final Logger log = LoggerFactory.getLogger(BackendPool.class);
    private static final Selector NONE = (hashKey, accept) -> null;

    /** What the request path sees: all backends, and a selector over the selectable ones. */
    public record Snapshot(PoolConfig config, List<Backend> backends, Selector selector, Predicate<Backend> hasRoom) {
    }

    private final String name;
    private Strategy strategy;
    private volatile Snapshot snapshot;
    private volatile Object meters;
    private final WaitQueue waitQueue = new WaitQueue();

    public BackendPool(PoolConfig config, List<Backend> backends) {
        this.name = config.name();
        this.strategy = Strategies.create(config);
        publish(config, List.copyOf(backends));
    }

    /**
     * The metrics component's meters for this pool, made once when it appears so that recording a
     * request needs no lookup. Null until metrics are attached.
     */
    public Object meters() {
        return meters;
    }

    public void meters(Object meters) {
        this.meters = meters;
    }

    public String name() {
        return name;
    }

    public Snapshot snapshot() {
        return snapshot;
    }

    public PoolConfig config() {
        return snapshot.config();
    }

    public List<Backend> backends() {
        return snapshot.backends();
    }

    /**
     * Picks a backend for a request, or null when none is selectable. Request path: lock-free.
     *
     * @param accept extra filter (a retry avoids the backend that just failed); may be null
     */
    public Backend select(long hashKey, Predicate<Backend> accept) {
        Selector selector = snapshot.selector();
        return accept == null
                ? selector.select(hashKey, Backend::isSelectable)
                : selector.select(hashKey, b -> b.isSelectable() && accept.test(b));
    }

    /**
     * As {@link #select}, but only among backends with fewer than {@code max-connections-per-backend}
     * requests in flight (a hint: the caller still takes the slot with {@link BackendStats#tryStart}).
     */
    public Backend selectWithCapacity(long hashKey, Predicate<Backend> accept) {
        Snapshot s = snapshot;
        Predicate<Backend> hasRoom = s.hasRoom();
        return accept == null
                ? s.selector().select(hashKey, hasRoom)
                : s.selector().select(hashKey, b -> hasRoom.test(b) && accept.test(b));
    }

    /** Requests waiting for a slot when every backend is at its connection limit. */
    public WaitQueue waitQueue() {
        return waitQueue;
    }

    public Optional<Backend> find(String id) {
        for (Backend b : snapshot.backends()) {
            if (b.id().equals(id)) {
                return Optional.of(b);
            }
        }
        return Optional.empty();
    }

    /** New settings from a reload: a changed strategy takes effect for new requests. */
    public synchronized void reconfigure(PoolConfig config) {
        if (!config.strategy().equals(snapshot.config().strategy())
                || !config.hashKey().equals(snapshot.config().hashKey())) {
            strategy = Strategies.create(config);
        }
        publish(config, snapshot.backends());
    }

    public synchronized void add(Backend backend) {
        List<Backend> next = new ArrayList<>(snapshot.backends());
        next.add(backend);
        publish(snapshot.config(), List.copyOf(next));
    }

    public synchronized void remove(Backend backend) {
        List<Backend> next = new ArrayList<>(snapshot.backends());
        next.remove(backend);
        backend.markRemoved();
        publish(snapshot.config(), List.copyOf(next));
    }

    public synchronized void setHealth(Backend backend, HealthStatus health) {
        if (backend.health() != health) {
            log.info("pool {} backend {} is {}", name, backend.id(), health.name().toLowerCase());
            backend.health(health);
            rebuild();
        }
    }

    public synchronized void setAdminState(Backend backend, AdminState state) {
        if (backend.adminState() != state) {
            log.info("pool {} backend {} is {}", name, backend.id(), state.word());
            backend.adminState(state);
            rebuild();
        }
    }

    public synchronized void setWeight(Backend backend, int weight) {
        backend.weight(weight);
        rebuild();
    }

    public synchronized void setEffectiveWeight(Backend backend, int effectiveWeight) {
        if (backend.effectiveWeight() != effectiveWeight) {
            backend.effectiveWeight(effectiveWeight);
            rebuild();
        }
    }

    public synchronized void setSource(Backend backend, Backend.Source source) {
        backend.source(source);
    }

    private void rebuild() {
        publish(snapshot.config(), snapshot.backends());
    }

    private void publish(PoolConfig config, List<Backend> backends) {
        List<Backend> selectable = new ArrayList<>(backends.size());
        for (Backend b : backends) {
            if (b.isSelectable()) {
                selectable.add(b);
            }
        }
        Selector selector = selectable.isEmpty() ? NONE : strategy.build(List.copyOf(selectable));
        int max = config.maxConnectionsPerBackend();
        Predicate<Backend> hasRoom = b -> b.isSelectable() && (max <= 0 || b.stats().inFlight() < max);
        snapshot = new Snapshot(config, backends, selector, hasRoom);
    }
}
