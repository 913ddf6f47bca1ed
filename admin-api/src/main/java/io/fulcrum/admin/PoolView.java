package io.fulcrum.admin;

import java.util.List;
import java.util.Objects;

/**
 * One pool as the admin API shows it.
 *
 * @param name     the pool's name in the config
 * @param strategy the balancing strategy's config word ({@code dynamic}, {@code round-robin}, ...)
 * @param backends every backend of the pool, in the daemon's order (config order, then API-added)
 */
public record PoolView(String name, String strategy, List<BackendView> backends) {

    public PoolView {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(strategy, "strategy");
        backends = List.copyOf(backends);
    }
}
