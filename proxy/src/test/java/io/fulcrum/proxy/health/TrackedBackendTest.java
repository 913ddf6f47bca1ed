package io.fulcrum.proxy.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fulcrum.health.HealthStatus;
import io.fulcrum.health.ProbeSettings;
import io.fulcrum.health.outlier.OutlierSettings;
import io.fulcrum.health.outlier.OutlierTracker;
import io.fulcrum.health.report.AgentReply;
import io.fulcrum.health.report.AgentState;
import io.fulcrum.health.report.LoadReport;
import io.fulcrum.health.weight.LoadTracker;
import io.fulcrum.health.weight.WeightSettings;
import io.fulcrum.proxy.backend.AdminState;
import io.fulcrum.proxy.backend.Backend;
import io.fulcrum.proxy.backend.BackendPool;
import io.fulcrum.proxy.config.HostPort;
import io.fulcrum.proxy.testing.TestConfigs;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * What one backend's health and load make of its pool entry, on an injected clock: no sockets, no threads,
 * the checker's listener calls made by hand.
 */
class TrackedBackendTest {

    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong now = new AtomicLong(1_000 * SECOND);
    private final Backend a = backend("127.0.0.1:9001");
    private final Backend b = backend("127.0.0.1:9002");
    private final BackendPool pool = new BackendPool(
            TestConfigs.pool("web", "dynamic", List.of("127.0.0.1:9001", "127.0.0.1:9002"), 0), List.of(a, b));
    /** Probe interval 1 s, slow-start 10 s. */
    private final TrackedBackend t = new TrackedBackend(pool, a, ProbeSettings.DEFAULTS, HealthStatus.UP,
            new LoadTracker(WeightSettings.of(Duration.ofSeconds(1), Duration.ofSeconds(10)), now::get),
            new OutlierTracker(OutlierSettings.DEFAULTS, now::get));

    private static Backend backend(String address) {
        HostPort hp = HostPort.parse(address);
        return new Backend(hp, new InetSocketAddress("127.0.0.1", hp.port()), 100, Backend.Source.CONFIG,
                HealthStatus.UP);
    }

    private static AgentReply agent(AgentState state, int percent) {
        return new AgentReply(percent < 0 ? OptionalInt.empty() : OptionalInt.of(percent), Optional.ofNullable(state),
                0);
    }

    private LoadReport cpu(double utilization) {
        return new LoadReport(utilization, Double.NaN, Double.NaN, Double.NaN, Map.of(), now.get(), Instant.EPOCH);
    }

    @Test
    void theTargetIdNamesThePoolSoOneAddressCanSitInTwoPools() {
        assertEquals("web/127.0.0.1:9001", t.targetId);
    }

    @Test
    void aBackendThatComesBackUpRampsOverSlowStart() {
        t.onStatusChange(t.targetId, HealthStatus.UP, HealthStatus.DOWN);
        assertEquals(HealthStatus.DOWN, a.health());
        assertFalse(a.isSelectable());
        now.addAndGet(3 * SECOND);
        t.onStatusChange(t.targetId, HealthStatus.DOWN, HealthStatus.UP);
        // Ramp from 10 %: published with the health, so the first snapshot with a in it says 10.
        assertEquals(HealthStatus.UP, a.health());
        assertEquals(10, a.effectiveWeight());
        now.addAndGet(5 * SECOND);
        t.tick();
        assertEquals(55, a.effectiveWeight(), "10 % + 90 % × 5/10");
        now.addAndGet(5 * SECOND);
        t.tick();
        assertEquals(100, a.effectiveWeight());
    }

    @Test
    void loadReportsSetTheWeightAtTheNextTickAndFadeWhenStale() {
        t.onLoadReport(t.targetId, cpu(0.6));
        assertEquals(100, a.effectiveWeight(), "published on the beat, not on every report");
        t.tick();
        assertEquals(40, a.effectiveWeight(), "100 × (1 − 0.6)");
        now.addAndGet(5 * SECOND);
        t.tick();
        assertEquals(100, a.effectiveWeight(), "a report 3 intervals old no longer counts");
    }

    @Test
    void agentDrainAndMaintHoldTheBackendOutUntilReadyAndKeepTheAdminState() {
        t.onAgentReply(t.targetId, agent(AgentState.DRAIN, -1));
        assertEquals(0, a.effectiveWeight());
        assertFalse(a.isSelectable(), "weight 0 alone would still get a trickle: the strategies floor it at 1");
        assertEquals(AdminState.ACTIVE, a.adminState());
        assertEquals(HealthStatus.UP, t.probed(), "the probes' view is kept apart");
        assertFalse(pool.select(0, null) == a);

        t.onAgentReply(t.targetId, agent(AgentState.UP, 50));
        assertFalse(a.isSelectable(), "'up' is about health; only 'ready' ends a drain (HAProxy)");
        t.onAgentReply(t.targetId, agent(AgentState.READY, -1));
        assertTrue(a.isSelectable());
        assertEquals(50, a.effectiveWeight(), "the last N% sticks");

        t.onAgentReply(t.targetId, agent(AgentState.MAINT, -1));
        assertFalse(a.isSelectable());
        t.onAgentReply(t.targetId, agent(AgentState.READY, 100));
        assertTrue(a.isSelectable());
        assertEquals(100, a.effectiveWeight());
    }

    @Test
    void agentZeroPercentTakesTheBackendOutAsHaproxyShowsDrain() {
        t.onAgentReply(t.targetId, agent(null, 0));
        assertEquals(0, a.effectiveWeight());
        assertFalse(a.isSelectable());
        t.onAgentReply(t.targetId, agent(null, 75));
        assertTrue(a.isSelectable());
        assertEquals(75, a.effectiveWeight());
    }

    @Test
    void aReadyAgentDoesNotBringUpABackendItsProbesSayIsDown() {
        t.onAgentReply(t.targetId, agent(AgentState.DRAIN, -1));
        t.onStatusChange(t.targetId, HealthStatus.UP, HealthStatus.DOWN);
        t.onAgentReply(t.targetId, agent(AgentState.READY, -1));
        assertEquals(HealthStatus.DOWN, a.health());
    }

    @Test
    void theProxysOwnErrorsLowerTheWeight() {
        t.tick(); // first observation: the baseline of the counters
        for (int i = 0; i < 100; i++) {
            a.stats().requestStarted();
            a.stats().requestEnded(1_000, i % 10 == 0);
        }
        now.addAndGet(SECOND);
        t.tick();
        assertEquals(80, a.effectiveWeight(), "10 % errors cost 20 %");
    }

    @Test
    void nothingIsWrittenForABackendThatLeftItsPool() {
        t.markRemoved();
        t.onStatusChange(t.targetId, HealthStatus.UP, HealthStatus.DOWN);
        assertEquals(HealthStatus.UP, a.health());
    }
}
