package io.fulcrum.proxy.health;

import io.fulcrum.health.HealthChecker;
import io.fulcrum.proxy.backend.Backend;
import io.fulcrum.proxy.upstream.ExchangeEvents;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Passive outlier detection from live traffic (SPEC section 5): every attempt's result feeds its
 * backend's {@link io.fulcrum.health.outlier.OutlierTracker}; the attempt that completes a run of
 * {@code consecutive-failures} (connect errors, resets, timeouts, 5xx) ejects the backend through the
 * checker, which marks it DOWN at once (its listener then writes DOWN to the pool) and lets probes bring
 * it back after the ejection time.
 *
 * <p>Threading: called on the client's event loop for every attempt. One lock-free map read and, for
 * a success after a success, one volatile read; no lock, no allocation. The ejection itself is handed to
 * the checker's loop ({@link HealthChecker#eject} does not block), so the pool's monitor is never taken
 * on a traffic loop.
 */
final class PassiveChecks implements ExchangeEvents {

    private final Map<Backend, TrackedBackend> tracked;
    private final HealthChecker checker;

    PassiveChecks(Map<Backend, TrackedBackend> tracked, HealthChecker checker) {
        this.tracked = tracked;
        this.checker = checker;
    }

    @Override
    public void backendResult(Backend backend, boolean failure) {
        TrackedBackend t = tracked.get(backend);
        if (t == null) {
            return; // removed while the request was in flight
        }
        if (!failure) {
            t.outlier.recordSuccess();
            return;
        }
        Optional<Duration> ejection = t.outlier.recordFailure();
        if (ejection.isPresent()) {
            checker.eject(t.targetId, ejection.get());
        }
    }
}
