package io.fulcrum.proxy.health;

import io.fulcrum.health.HealthListener;
import io.fulcrum.health.HealthStatus;
import io.fulcrum.health.ProbeSettings;
import io.fulcrum.health.outlier.OutlierTracker;
import io.fulcrum.health.report.AgentReply;
import io.fulcrum.health.report.AgentState;
import io.fulcrum.health.report.LoadReport;
import io.fulcrum.health.weight.LoadTracker;
import io.fulcrum.proxy.backend.Backend;
import io.fulcrum.proxy.backend.BackendPool;
import io.fulcrum.proxy.backend.BackendStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One backend of one pool as {@link BackendHealth} follows it: the checker's target, its load history
 * and its outlier counter, and the one place that writes its health and effective weight to the pool.
 *
 * <p>What the pool is told is derived from three inputs: what the probes say ({@link #probed}), whether
 * the backend's agent holds it out of new traffic ({@link #agentHold}, for {@code drain}/{@code maint}),
 * and the weight its {@link LoadTracker} computes. Weight 0 (agent {@code drain}, {@code maint} or
 * {@code 0%}) is published as weight 0 <em>and</em> as health DOWN: the strategies count an effective
 * weight below 1 as 1 (lb.Candidates), so weight 0 alone would still send a trickle of requests.
 *
 * <p>Threading: {@link HealthListener} methods run on the checker's loop; {@link #tick} on the daemon's
 * control thread; {@link #refresh} also on the thread changing the pools (under their monitor). Writes
 * to the pool go through {@link #refresh}, which is {@code synchronized}, so a slow thread can never
 * publish a health it read before a faster one published a newer one. Lock order: this, then the
 * {@link LoadTracker}, then the {@link BackendPool} — never the other way. {@link #outlier} is lock-free
 * and is fed on the request path.
 */
final class TrackedBackend implements HealthListener {

    private static final Logger log = LoggerFactory.getLogger(TrackedBackend.class);

    final BackendPool pool;
    final Backend backend;
    /** The checker's id: {@code pool/host:port}, unique even when one address is in several pools. */
    final String targetId;
    final LoadTracker load;
    final OutlierTracker outlier;
    /** The settings last handed to the checker (to update it only when a reload changed them). */
    volatile ProbeSettings probe;
    /** What the probes (and the agent's up/down, and ejections) say: the checker's status. */
    private volatile HealthStatus probed;
    /** The agent said drain or maint and has not said ready since. Written on the checker's loop. */
    private volatile boolean agentHold;
    private volatile boolean removed;

    TrackedBackend(BackendPool pool, Backend backend, ProbeSettings probe, HealthStatus initial, LoadTracker load,
                   OutlierTracker outlier) {
        this.pool = pool;
        this.backend = backend;
        this.targetId = pool.name() + "/" + backend.id();
        this.probe = probe;
        this.probed = initial;
        this.load = load;
        this.outlier = outlier;
    }

    HealthStatus probed() {
        return probed;
    }

    boolean agentHold() {
        return agentHold;
    }

    /** The backend left its pool: nothing more is written to the pool for it. Any thread. */
    void markRemoved() {
        removed = true;
    }

    @Override
    public void onStatusChange(String targetId, HealthStatus from, HealthStatus to) {
        probed = to;
        // Before refresh: coming UP starts the slow-start ramp, so the first snapshot that lets the
        // backend back in already carries the ramp's small weight, not its weight of before.
        load.onHealthChange(from, to);
        refresh();
    }

    @Override
    public void onLoadReport(String targetId, LoadReport report) {
        load.onReport(report);
    }

    @Override
    public void onAgentReply(String targetId, AgentReply reply) {
        load.onAgentReply(reply);
        boolean hold = agentHold;
        if (reply.state().isPresent()) {
            AgentState s = reply.state().get();
            if (s == AgentState.DRAIN || s == AgentState.MAINT) {
                hold = true;
            } else if (s == AgentState.READY) {
                hold = false;
            }
        }
        if (hold != agentHold) {
            agentHold = hold;
            log.info("pool {} backend {}: agent {} new traffic", pool.name(), backend.id(),
                    hold ? "holds it out of" : "lets it take");
        }
        refresh(); // a new N% shows at once, not at the next tick
    }

    /** Once per probe interval, on the control thread: the proxy's own view, then a new weight. */
    void tick() {
        BackendStats s = backend.stats();
        load.observe(s.inFlight(), s.requests(), s.failures());
        refresh();
    }

    /**
     * Publishes the effective weight, then the health, to the pool; each call rebuilds the pool's
     * selector only when the value changed. Weight first: a backend coming back in must not get one
     * snapshot's worth of traffic at its old weight.
     */
    synchronized void refresh() {
        if (removed) {
            return;
        }
        int weight = agentHold ? 0 : load.effectiveWeight(backend.weight());
        pool.setEffectiveWeight(backend, weight);
        pool.setHealth(backend, weight == 0 ? HealthStatus.DOWN : probed);
    }
}
