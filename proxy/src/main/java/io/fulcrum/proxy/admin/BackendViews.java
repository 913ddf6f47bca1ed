package io.fulcrum.proxy.admin;

import io.fulcrum.admin.BackendHealth;
import io.fulcrum.admin.BackendSource;
import io.fulcrum.admin.BackendState;
import io.fulcrum.admin.BackendView;
import io.fulcrum.admin.LoadView;
import io.fulcrum.admin.PoolView;
import io.fulcrum.proxy.backend.Backend;
import io.fulcrum.proxy.backend.BackendLoad;
import io.fulcrum.proxy.backend.BackendPool;
import io.fulcrum.proxy.backend.LoadSource;
import io.fulcrum.proxy.backend.BackendStats;
import java.util.ArrayList;
import java.util.List;

/**
 * Snapshots of the daemon's pools and backends as the admin API shows them. Reads volatile fields and
 * counters only; safe on any thread. The values are read one by one, so a view taken while traffic
 * runs may mix instants (in-flight from one moment, requests from the next) — as any live counter.
 */
final class BackendViews {

    private BackendViews() {
    }

    static PoolView pool(BackendPool pool, LoadSource loads) {
        List<BackendView> views = new ArrayList<>();
        for (Backend b : pool.backends()) {
            views.add(backend(b, loads));
        }
        return new PoolView(pool.name(), pool.config().strategy(), views);
    }

    /** @param loads where load reports are read; null until the health component provides one */
    static BackendView backend(Backend b, LoadSource loads) {
        BackendStats s = b.stats();
        return new BackendView(b.id(), b.address().toString(), b.weight(), b.effectiveWeight(),
                BackendState.valueOf(b.adminState().name()), BackendHealth.valueOf(b.health().name()),
                s.inFlight(), s.activeConnections(), s.requests(), s.failures(), load(loads, b),
                b.source() == Backend.Source.API ? BackendSource.API : BackendSource.CONFIG);
    }

    static LoadView load(LoadSource loads, Backend b) {
        BackendLoad l = loads == null ? null : loads.load(b);
        if (l == null) {
            return LoadView.NONE;
        }
        return new LoadView(Double.isNaN(l.cpuUtilization()) ? null : l.cpuUtilization(),
                l.connections() < 0 ? null : (int) Math.min(Integer.MAX_VALUE, l.connections()), l.reportedAt());
    }
}
