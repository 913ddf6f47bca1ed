package io.fulcrum.proxy.metrics;

import io.fulcrum.proxy.backend.Backend;
import io.fulcrum.proxy.backend.BackendPool;
import io.fulcrum.proxy.upstream.ExchangeEvents;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * Records what exchanges report into the meters kept in {@link Backend#meters()} and
 * {@link BackendPool#meters()}. Called on event loops, on the request path: one field read and a few
 * lock-free additions per call; no registry lookup, no lock, no allocation.
 *
 * <p>A backend or pool without meters (not yet seen by {@link DaemonMetrics}, which cannot happen
 * once it is attached before the listeners bind) is skipped rather than counted under a wrong label.
 */
final class MetricsEvents implements ExchangeEvents {

    /** Requests that matched no route (or were refused before routing): {@code pool="", backend=""}. */
    private final RequestCounters unrouted;
    private final Timer unroutedDuration;

    MetricsEvents(RequestCounters unrouted, Timer unroutedDuration) {
        this.unrouted = unrouted;
        this.unroutedDuration = unroutedDuration;
    }

    @Override
    public void requestDone(String listener, BackendPool pool, Backend backend, int status, long durationNanos) {
        if (backend != null) {
            if (backend.meters() instanceof BackendMeters m) {
                m.requests.increment(listener, status);
                m.duration.record(durationNanos, TimeUnit.NANOSECONDS);
            }
        } else if (pool != null) {
            if (pool.meters() instanceof PoolMeters m) {
                m.localRequests.increment(listener, status);
                m.localDuration.record(durationNanos, TimeUnit.NANOSECONDS);
            }
        } else {
            unrouted.increment(listener, status);
            unroutedDuration.record(durationNanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void retried(BackendPool pool) {
        if (pool.meters() instanceof PoolMeters m) {
            m.retries.increment();
        }
    }

    @Override
    public void backendResult(Backend backend, boolean failure) {
        if (failure && backend.meters() instanceof BackendMeters m) {
            m.failures.increment();
        }
    }
}
