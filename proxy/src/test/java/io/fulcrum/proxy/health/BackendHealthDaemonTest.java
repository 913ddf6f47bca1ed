package io.fulcrum.proxy.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fulcrum.health.HealthStatus;
import io.fulcrum.proxy.backend.AdminState;
import io.fulcrum.proxy.backend.Backend;
import io.fulcrum.proxy.backend.BackendLoad;
import io.fulcrum.proxy.backend.BackendPool;
import io.fulcrum.proxy.config.ConfigLoader;
import io.fulcrum.proxy.config.HostPort;
import io.fulcrum.proxy.daemon.Daemon;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import io.fulcrum.testsupport.TestAgent;
import org.junit.jupiter.api.Test;

/**
 * The health component inside the real daemon, on real sockets (SPEC section 5): probes at 50 ms
 * intervals against {@link ReportingBackend}s, traffic through the proxy with java.net.http. Every
 * assertion on timing waits with a deadline; the bounds are the spec's (fall × interval, rise × interval,
 * ejection time) plus slack for a busy 2-core machine.
 */
class BackendHealthDaemonTest {

    private static final long INTERVAL_MS = 50;
    /** Probe jitter (±10 %), the first probe landing up to one interval after a change, and a loaded machine. */
    private static final long SLACK_MS = INTERVAL_MS + 750;
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<AutoCloseable> closeAfter = new ArrayList<>();
    private Daemon daemon;

    @AfterEach
    void tearDown() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        for (AutoCloseable c : closeAfter) {
            c.close();
        }
    }

    private ReportingBackend backend(String name) {
        ReportingBackend b = new ReportingBackend(name);
        closeAfter.add(b);
        return b;
    }

    /** One listener, one pool {@code web} with these backends and this pool text (health, outlier, ...). */
    private void start(String poolText, ReportingBackend... backends) throws Exception {
        String list = Arrays.stream(backends).map(b -> "{ address = \"" + b.address() + "\" }")
                .collect(Collectors.joining(", "));
        String text = """
                fulcrum {
                  threads = 1
                  listeners = [ { name = web, bind = "127.0.0.1:0", routes = [ { pool = web } ] } ]
                  pools.web {
                    backends = [ %s ]
                    retries = 0
                %s
                  }
                }
                """.formatted(list, poolText);
        daemon = Daemon.start(ConfigLoader.parse("health-test.conf", text, Path.of("target"), Map.of()));
    }

    private BackendPool pool() {
        return daemon.pools().pool("web");
    }

    private Backend of(ReportingBackend b) {
        return pool().find(b.address()).orElseThrow();
    }

    private HttpResponse<String> get(String path) throws Exception {
        int port = daemon.listenerAddress("web").getPort();
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aBackendReportingHighCpuGetsAClearlySmallerButNonZeroShare() throws Exception {
        ReportingBackend hot = backend("hot");
        ReportingBackend cool1 = backend("cool1");
        ReportingBackend cool2 = backend("cool2");
        hot.cpu = 0.95;
        cool1.cpu = 0.2;
        cool2.cpu = 0.2;
        start("""
                strategy = dynamic
                slow-start = 0s
                health { type = http, interval = 50ms, timeout = 500ms, rise = 2, fall = 2 }
                """, hot, cool1, cool2);
        // Weight 100 × headroom: hot 100 × 0.05 = 5 (also the floor), cool 100 × 0.8 = 80.
        Poll.until(() -> of(hot).effectiveWeight() <= 6 && of(cool1).effectiveWeight() >= 75
                && of(cool2).effectiveWeight() >= 75, WAIT, "weights from the reports");
        BackendLoad load = daemon.loadSource().load(of(hot));
        assertNotNull(load, "the admin API can read the last report");
        assertEquals(0.95, load.cpuUtilization(), 1e-9);
        assertEquals(-1, load.connections());

        int n = 300;
        int[] before = {hot.requests.get(), cool1.requests.get(), cool2.requests.get()};
        for (int i = 0; i < n; i++) {
            assertEquals(200, get("/x").statusCode());
        }
        int h = hot.requests.get() - before[0];
        int c1 = cool1.requests.get() - before[1];
        int c2 = cool2.requests.get() - before[2];
        assertEquals(n, h + c1 + c2);
        // Expected shares 5/165 ≈ 3 % (≈ 9 requests) and 80/165 ≈ 48.5 % each (≈ 145).
        assertTrue(h > 0, "a loaded but healthy backend keeps a trickle (the floor), got " + h);
        assertTrue(h * 5 < c1 && h * 5 < c2, "hot " + h + " vs cool " + c1 + ", " + c2);
    }

    @Test
    void aFailingProbeTakesTheBackendOutWithinFallIntervalsAndRiseBringsItBack() throws Exception {
        ReportingBackend a = backend("a");
        ReportingBackend b = backend("b");
        start("""
                slow-start = 0s
                health { type = http, interval = 50ms, timeout = 500ms, rise = 2, fall = 3 }
                """, a, b);
        assertEquals(HealthStatus.UP, of(a).health(), "config backends start up");

        a.healthStatus = 503;
        long outMs = Poll.until(() -> of(a).health() == HealthStatus.DOWN, WAIT, "a down");
        assertTrue(outMs <= 3 * INTERVAL_MS * 11 / 10 + SLACK_MS, "out after " + outMs + " ms");
        int seen = a.requests.get();
        for (int i = 0; i < 20; i++) {
            assertEquals("b", get("/x").body());
        }
        assertEquals(seen, a.requests.get(), "no traffic to a down backend");
        assertEquals(AdminState.ACTIVE, of(a).adminState(), "probes never touch the admin state");

        a.healthStatus = 200;
        long backMs = Poll.until(() -> of(a).health() == HealthStatus.UP, WAIT, "a up");
        assertTrue(backMs <= 2 * INTERVAL_MS * 11 / 10 + SLACK_MS, "back after " + backMs + " ms");
        Poll.until(() -> {
            try {
                return get("/x").body().equals("a");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, WAIT, "traffic to a again");
    }

    @Test
    void slowStartRampsARecoveredBackend() throws Exception {
        ReportingBackend a = backend("a");
        ReportingBackend b = backend("b");
        start("""
                slow-start = 1s
                health { type = http, interval = 50ms, timeout = 500ms, rise = 1, fall = 1 }
                """, a, b);
        assertEquals(100, of(a).effectiveWeight(), "a config backend up at start does not ramp");
        a.healthStatus = 503;
        Poll.until(() -> of(a).health() == HealthStatus.DOWN, WAIT, "a down");
        a.healthStatus = 200;
        Poll.until(() -> of(a).health() == HealthStatus.UP, WAIT, "a up");
        // The weight is published before the health: the first snapshot with a in it has the ramp's weight.
        int first = of(a).effectiveWeight();
        assertTrue(first < 50, "right after coming up a is at the start of its ramp (10 % of 100), got " + first);
        long rampMs = Poll.until(() -> of(a).effectiveWeight() == 100, WAIT, "ramp to the full weight");
        assertTrue(rampMs >= 500, "the ramp takes about slow-start (1 s), took " + rampMs + " ms");
    }

    @Test
    void agentDrainStopsNewRequestsWithoutTouchingTheAdminStateAndReadyUndoesIt() throws Exception {
        TestAgent agent = new TestAgent();
        closeAfter.add(agent);
        ReportingBackend a = backend("a");
        start("""
                slow-start = 0s
                health { type = http, interval = 50ms, timeout = 500ms, rise = 2, fall = 2, agent-port = %d }
                """.formatted(agent.port()), a);
        assertEquals(200, get("/x").statusCode());

        agent.reply.set("drain\n");
        Poll.until(() -> of(a).effectiveWeight() == 0 && !of(a).isSelectable(), WAIT, "a drained by its agent");
        assertEquals(AdminState.ACTIVE, of(a).adminState(), "the agent never touches the operator's state");
        int seen = a.requests.get();
        for (int i = 0; i < 10; i++) {
            assertEquals(503, get("/x").statusCode(), "no backend takes new requests");
        }
        assertEquals(seen, a.requests.get());

        agent.reply.set("ready 50%\n");
        Poll.until(() -> of(a).isSelectable() && of(a).effectiveWeight() == 50, WAIT, "a back at 50 %");
        assertEquals(200, get("/x").statusCode());
    }

    @Test
    void aBackendAddedAtRuntimeGetsTrafficOnlyAfterRisePasses() throws Exception {
        ReportingBackend a = backend("a");
        ReportingBackend c = backend("c");
        start("""
                slow-start = 0s
                health { type = http, interval = 100ms, timeout = 500ms, rise = 3, fall = 2 }
                """, a);
        Backend added = daemon.pools().addBackend(pool(), HostPort.parse(c.address()), 100, Backend.Source.API,
                HealthStatus.UNKNOWN);
        int checked = 0;
        while (added.health() != HealthStatus.UP) {
            String body = get("/x").body();
            // Not UP after the answer means not UP when it was routed either (health only rises here).
            if (added.health() != HealthStatus.UP) {
                assertEquals("a", body, "no traffic before rise passes");
                checked++;
            }
        }
        assertTrue(checked > 0, "requests were sent while the new backend waited");
        assertTrue(c.probes.get() >= 3, "up only after rise = 3 probes, saw " + c.probes.get());
        Poll.until(() -> {
            try {
                return get("/x").body().equals("c");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }, WAIT, "traffic to the new backend");
    }

    @Test
    void fiveConsecutive5xxEjectABackendAndProbesBringItBackAfterTheEjectionTime() throws Exception {
        ReportingBackend a = backend("a");
        ReportingBackend b = backend("b");
        start("""
                strategy = round-robin
                slow-start = 0s
                health { type = http, interval = 50ms, timeout = 500ms, rise = 2, fall = 3 }
                outlier { consecutive-failures = 5, base-ejection-time = 600ms, max-ejection-time = 10s }
                """, a, b);
        a.trafficStatus = 500; // its probes still pass: only live traffic can tell
        // Round-robin gives a every other request. Nothing is sent once a has its 5th, so the count does
        // not depend on how soon the ejection crosses to the checker's loop (a loaded machine took long
        // enough for two more requests to reach a when the loop sent on until a was seen DOWN).
        int sent = 0;
        while (a.requests.get() < 5 && sent < 200) {
            assertEquals(HealthStatus.UP, of(a).health(), "not ejected before its 5th 5xx, a got " + a.requests.get());
            get("/x");
            sent++;
        }
        assertEquals(5, a.requests.get(), "after " + sent + " requests");
        Poll.until(() -> of(a).health() == HealthStatus.DOWN, WAIT, "a ejected after its 5th 5xx");
        long ejectedAt = System.nanoTime();
        int seen = a.requests.get();
        for (int i = 0; i < 10; i++) {
            assertEquals("b", get("/x").body());
        }
        assertEquals(seen, a.requests.get(), "an ejected backend gets nothing");

        Poll.until(() -> of(a).health() == HealthStatus.UP, WAIT, "a back through its probes");
        long outMs = (System.nanoTime() - ejectedAt) / 1_000_000;
        assertTrue(outMs >= 500, "out for the ejection time (600 ms, less the time to see it), was " + outMs);
        assertTrue(outMs <= 600 + 2 * INTERVAL_MS * 11 / 10 + SLACK_MS, "back after " + outMs + " ms");
    }

    @Test
    void runtimeChangesReachTheChecker() throws Exception {
        ReportingBackend a = backend("a");
        ReportingBackend c = backend("c");
        start("""
                slow-start = 10s
                health { type = none, interval = 50ms }
                """, a);
        BackendHealth health = (BackendHealth) daemon.loadSource();
        // type none: nothing probes, and a runtime backend is taken as up at once, then slow-starts.
        Backend added = daemon.pools().addBackend(pool(), HostPort.parse(c.address()), 100, Backend.Source.API,
                HealthStatus.UNKNOWN);
        assertEquals(HealthStatus.UP, added.health());
        assertTrue(added.effectiveWeight() <= 20, "at the start of its ramp: " + added.effectiveWeight());
        assertEquals(100, of(a).effectiveWeight(), "a config backend up at start does not ramp");
        assertEquals(0, a.probes.get() + c.probes.get());

        // A reload switching to http probes keeps each backend's state and starts probing.
        a.healthStatus = 503;
        var config = pool().config();
        var next = new io.fulcrum.proxy.config.PoolConfig(config.name(), config.strategy(), config.hashKey(),
                config.backends(), new io.fulcrum.proxy.config.HealthConfig("http", "/healthz",
                Duration.ofMillis(50), Duration.ofMillis(500), 2, 2, 0), config.outlier(), config.slowStart(),
                config.connectTimeout(), config.responseTimeout(), config.retries(),
                config.maxConnectionsPerBackend(), config.queueTimeout(), config.maxQueue(),
                config.retryBufferBytes());
        daemon.pools().reconfigure(pool(), next);
        Poll.until(() -> of(a).health() == HealthStatus.DOWN, WAIT, "a probed down after the reload");
        assertEquals(HealthStatus.UP, added.health(), "c passes its probes and stays up");
        assertTrue(c.probes.get() > 0);

        // Removed backends are unregistered.
        daemon.pools().removeBackend(pool(), added);
        assertNull(health.status(added));
        assertNotEquals(null, health.status(of(a)));
    }
}
