package io.fulcrum.proxy.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Arrays;

/**
 * The {@code fulcrum_requests_total} counters of one (pool, backend) pair, one per listener and status
 * class.
 *
 * <p>Request path: {@link #increment} scans a small array (one entry per listener that sent a request
 * here; usually one or two) comparing names by identity first — the listener's name is the same
 * String instance on every request — and bumps a {@link Counter} (a {@code DoubleAdder}): no lock, no
 * map lookup. Only the first request of a listener on this pair creates its five counters, under this
 * object's monitor, once; they are then published with one volatile write (copy-on-write).
 *
 * <p>After {@link #remove} the counters are gone from the registry and nothing is created again: a
 * request that ends on a backend after its removal is not counted under it (its series are gone).
 */
final class RequestCounters {

    private record Entry(String listener, Counter[] byClass) {
    }

    private static final Entry[] NONE = new Entry[0];

    private final MeterRegistry registry;
    private final String pool;
    private final String backend;
    private volatile Entry[] entries = NONE;
    private boolean removed;

    /** @param pool the pool label ("" for requests that matched no route), backend likewise */
    RequestCounters(MeterRegistry registry, String pool, String backend) {
        this.registry = registry;
        this.pool = pool;
        this.backend = backend;
    }

    /** Counts one answered request. Any thread; lock-free after the listener's first request. */
    void increment(String listener, int status) {
        int c = StatusClass.index(status);
        for (Entry e : entries) {
            if (e.listener == listener || e.listener.equals(listener)) {
                e.byClass[c].increment();
                return;
            }
        }
        Entry created = create(listener);
        if (created != null) {
            created.byClass[c].increment();
        }
    }

    private synchronized Entry create(String listener) {
        if (removed) {
            return null;
        }
        for (Entry e : entries) {
            if (e.listener.equals(listener)) {
                return e;
            }
        }
        Counter[] byClass = new Counter[StatusClass.LABELS.length];
        for (int i = 0; i < byClass.length; i++) {
            byClass[i] = Counter.builder(DaemonMetrics.REQUESTS)
                    .description("Requests answered, by listener, pool, backend (\"\" when Fulcrum answered itself) and status class")
                    .tags("listener", listener, "pool", pool, "backend", backend, "status_class", StatusClass.LABELS[i])
                    .register(registry);
        }
        Entry e = new Entry(listener, byClass);
        Entry[] next = Arrays.copyOf(entries, entries.length + 1);
        next[next.length - 1] = e;
        entries = next;
        return e;
    }

    /** Removes every counter from the registry. Off the request path. */
    synchronized void remove() {
        removed = true;
        for (Entry e : entries) {
            for (Counter c : e.byClass) {
                registry.remove(c);
            }
        }
        entries = NONE;
    }
}
