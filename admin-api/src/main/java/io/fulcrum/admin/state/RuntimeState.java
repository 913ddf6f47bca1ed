package io.fulcrum.admin.state;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * Every change operators made through the admin API, per pool and backend id: the content of the
 * state file. Immutable: each change returns a new value, so the daemon can build the next state,
 * save it, and only then apply it (a failed save then leaves nothing half-applied). Safe to share
 * between threads.
 *
 * <p>How the daemon applies it over a config (at start and after every reload), per pool named in
 * both: a {@code removed} backend is left out; an {@code added} one is created (unless the config
 * already has it) with its weight; a {@code weight} replaces the configured weight; a {@code state}
 * is set as the backend's admin state. Entries for pools or backends the config no longer has are
 * kept (the pool may come back) but change nothing.
 */
public final class RuntimeState {

    private static final RuntimeState EMPTY = new RuntimeState(new TreeMap<>());

    private final Map<String, Map<String, BackendOverride>> pools;

    private RuntimeState(TreeMap<String, Map<String, BackendOverride>> pools) {
        this.pools = Collections.unmodifiableMap(pools);
    }

    public static RuntimeState empty() {
        return EMPTY;
    }

    /** Pool name → backend id → override, sorted by name and id (so the file diffs well). */
    public Map<String, Map<String, BackendOverride>> pools() {
        return pools;
    }

    public Optional<BackendOverride> get(String pool, String id) {
        return Optional.ofNullable(pools.getOrDefault(pool, Map.of()).get(id));
    }

    public boolean isEmpty() {
        return pools.isEmpty();
    }

    /** A backend added through the API (a re-add after a removal clears the removal). */
    public RuntimeState withAdded(String pool, String id, int weight) {
        return with(pool, id, o -> new BackendOverride(true, OptionalInt.of(weight), Optional.empty(), false));
    }

    /** The operator set a weight. */
    public RuntimeState withWeight(String pool, String id, int weight) {
        return with(pool, id, o -> new BackendOverride(o.added(), OptionalInt.of(weight), o.state(), false));
    }

    /** The operator disabled or drained the backend, or (empty) made it active again. */
    public RuntimeState withState(String pool, String id, Optional<StateOverride> state) {
        return with(pool, id, o -> new BackendOverride(o.added(), o.weight(), state, false));
    }

    /**
     * The operator removed the backend. One added through the API is simply forgotten; one from the
     * config file is remembered as removed, so that neither a restart nor a reload brings it back.
     */
    public RuntimeState withRemoved(String pool, String id) {
        return with(pool, id, o -> o.added() ? BackendOverride.NOTHING : BackendOverride.REMOVED);
    }

    /** Drops whatever is stored for the backend: the config file decides again. */
    public RuntimeState without(String pool, String id) {
        return with(pool, id, o -> BackendOverride.NOTHING);
    }

    private RuntimeState with(String pool, String id, UnaryOperator<BackendOverride> change) {
        TreeMap<String, Map<String, BackendOverride>> next = new TreeMap<>(pools);
        TreeMap<String, BackendOverride> backends = new TreeMap<>(pools.getOrDefault(pool, Map.of()));
        BackendOverride changed = change.apply(backends.getOrDefault(id, BackendOverride.NOTHING));
        if (changed.isEmpty()) {
            backends.remove(id);
        } else {
            backends.put(id, changed);
        }
        if (backends.isEmpty()) {
            next.remove(pool);
        } else {
            next.put(pool, Collections.unmodifiableMap(backends));
        }
        return new RuntimeState(next);
    }

    static RuntimeState of(TreeMap<String, Map<String, BackendOverride>> pools) {
        TreeMap<String, Map<String, BackendOverride>> copy = new TreeMap<>();
        pools.forEach((pool, backends) -> {
            if (!backends.isEmpty()) {
                copy.put(pool, Collections.unmodifiableMap(new TreeMap<>(backends)));
            }
        });
        return new RuntimeState(copy);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RuntimeState && ((RuntimeState) o).pools.equals(pools);
    }

    @Override
    public int hashCode() {
        return pools.hashCode();
    }

    @Override
    public String toString() {
        return "RuntimeState" + pools;
    }
}
