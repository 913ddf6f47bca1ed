package io.fulcrum.health;

import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;

/**
 * The checker's record of one registered target. Every field but {@link #published} is confined to the
 * checker's loop; {@link #published} is volatile so {@link HealthChecker#status} can read it anywhere.
 */
final class ProbedTarget {

    final HealthTarget target;
    final RiseFallState state;
    ProbeSettings settings;
    /** Bumped on every settings change and on removal: results of older probes are dropped. */
    int generation;
    boolean removed;
    /** The agent said down (or fail/stopped); cleared when it says up. Overrides the probes. */
    boolean agentDown;
    ScheduledFuture<?> nextTick;
    ScheduledFuture<?> ejectionEnd;
    Promise<ProbeResult> probeInFlight;
    Promise<String> agentInFlight;
    /** The http probe and its kept-alive connection; created by the first http probe. */
    HttpProbe http;
    long lastMalformedLogNanos = Long.MIN_VALUE;
    int malformedSinceLastLog;
    volatile HealthStatus published;

    ProbedTarget(HealthTarget target) {
        this.target = target;
        this.settings = target.settings();
        this.state = new RiseFallState(target.initialStatus());
        this.published = target.initialStatus();
    }

    String id() {
        return target.id();
    }

    void closeHttpProbe() {
        if (http != null) {
            http.close();
            http = null;
        }
    }

    /** What the outside sees: the agent's down wins over the probes. */
    HealthStatus effectiveStatus() {
        return agentDown ? HealthStatus.DOWN : state.status();
    }
}
