package io.fulcrum.proxy.admin;

import io.fulcrum.admin.state.BackendOverride;
import io.fulcrum.admin.state.RuntimeState;
import io.fulcrum.admin.state.StateOverride;
import io.fulcrum.health.HealthStatus;
import io.fulcrum.proxy.backend.AdminState;
import io.fulcrum.proxy.backend.Backend;
import io.fulcrum.proxy.backend.BackendPool;
import io.fulcrum.proxy.backend.Pools;
import io.fulcrum.proxy.config.HostPort;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lays the changes operators made through the admin API ({@link RuntimeState}) over the pools built
 * from the config file, at start and after every reload's diff, so the API keeps its precedence
 * (SPEC section 7). Per pool that exists, per backend override:
 * <ul>
 *   <li>{@code removed}: a backend of that id is removed at once — unless it is already draining or
 *       drained (a {@code DELETE} still waiting for its in-flight requests, or a reload draining it):
 *       that drain is left to finish;</li>
 *   <li>{@code added}: created with its weight, health UNKNOWN (it gets traffic only after it passed
 *       {@code rise} probes, SPEC section 5), source API; if the config has it too, it is marked source
 *       API (an operator added it, so the API's word on it counts);</li>
 *   <li>{@code weight}: replaces the configured weight;</li>
 *   <li>{@code state}: DISABLED disables; DRAINING starts a drain (DRAINED at once when nothing is in
 *       flight, as after a restart).</li>
 * </ul>
 * Overrides for pools or backends the config does not have change nothing and are kept (the config may
 * bring them back). Applying twice changes nothing the second time.
 *
 * <p>Threading: off the event loops (adding a backend resolves its host). Holds the {@link Pools}
 * monitor for the whole pass, so no admin call or reload step interleaves with it.
 */
public final class RuntimeStateApplier {

    private static final Logger log = LoggerFactory.getLogger(RuntimeStateApplier.class);

    private RuntimeStateApplier() {
    }

    /**
     * @throws IllegalArgumentException when a stored id is not {@code host:port} (a hand-edited file);
     *                                  the message names the pool and the id
     */
    public static void apply(RuntimeState state, Pools pools) {
        synchronized (pools) {
            for (Map.Entry<String, Map<String, BackendOverride>> p : state.pools().entrySet()) {
                BackendPool pool = pools.pool(p.getKey());
                if (pool == null) {
                    continue;
                }
                for (Map.Entry<String, BackendOverride> b : p.getValue().entrySet()) {
                    applyOne(pools, pool, b.getKey(), b.getValue());
                }
            }
        }
    }

    private static void applyOne(Pools pools, BackendPool pool, String id, BackendOverride o) {
        Backend b = pool.find(id).orElse(null);
        if (o.removed()) {
            if (b != null && b.adminState() != AdminState.DRAINING && b.adminState() != AdminState.DRAINED) {
                log.info("pool {}: backend {} stays out: removed through the admin API", pool.name(), id);
                pools.removeBackend(pool, b);
            }
            return;
        }
        if (o.added()) {
            if (b == null) {
                HostPort address;
                try {
                    address = HostPort.parse(id);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("pool '" + pool.name() + "', backend '" + id + "': "
                            + e.getMessage(), e);
                }
                b = pools.addBackend(pool, address, o.weight().getAsInt(), Backend.Source.API, HealthStatus.UNKNOWN);
                log.info("pool {}: backend {} added back from the admin API's state (waits for its probes)",
                        pool.name(), id);
            } else if (b.source() != Backend.Source.API) {
                pools.setSource(pool, b, Backend.Source.API);
            }
        }
        if (b == null) {
            return;
        }
        if (o.weight().isPresent() && b.weight() != o.weight().getAsInt()) {
            pools.setWeight(pool, b, o.weight().getAsInt());
        }
        if (o.state().isPresent()) {
            StateOverride s = o.state().get();
            if (s == StateOverride.DISABLED && b.adminState() != AdminState.DISABLED) {
                pools.setAdminState(pool, b, AdminState.DISABLED);
            } else if (s == StateOverride.DRAINING
                    && b.adminState() != AdminState.DRAINING && b.adminState() != AdminState.DRAINED) {
                // Nobody waits on this drain; Pools moves the backend to DRAINED when it is idle.
                pools.drain(pool, b);
            }
        }
    }
}
