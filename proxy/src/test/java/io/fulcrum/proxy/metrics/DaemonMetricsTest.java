package io.fulcrum.proxy.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fulcrum.health.HealthStatus;
import io.fulcrum.proxy.backend.AdminState;
import io.fulcrum.proxy.backend.Backend;
import io.fulcrum.proxy.backend.BackendLoad;
import io.fulcrum.proxy.backend.BackendPool;
import io.fulcrum.proxy.backend.LoadSource;
import io.fulcrum.proxy.backend.Pools;
import io.fulcrum.proxy.config.HostPort;
import io.fulcrum.proxy.daemon.ReloadStatus;
import io.fulcrum.proxy.server.ListenerContext;
import io.fulcrum.proxy.server.Routes;
import io.fulcrum.proxy.testing.TestConfigs;
import io.fulcrum.proxy.upstream.ExchangeEvents;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every meter of {@link DaemonMetrics}, recorded through its events and read back from the scrape. */
class DaemonMetricsTest {

    private static final String A = "127.0.0.1:9001";
    private static final String B = "127.0.0.1:9002";
    private static final String C = "127.0.0.1:9003";

    private final ScheduledExecutorService control = Executors.newSingleThreadScheduledExecutor();
    private Pools pools;
    private BackendPool web;
    private DaemonMetrics metrics;
    private volatile LoadSource loads = LoadSource.NONE;

    @BeforeEach
    void build() {
        pools = new Pools(control);
        List<Backend> backends = new ArrayList<>();
        for (String id : List.of(A, B)) {
            HostPort hp = HostPort.parse(id);
            backends.add(new Backend(hp, hp.resolve(), 100, Backend.Source.CONFIG, HealthStatus.UP));
        }
        web = pools.addPool(TestConfigs.pool("web", "round-robin", List.of(A, B), 0), backends);
        metrics = new DaemonMetrics(pools, () -> loads, new ReloadStatus(1, null, true, List.of()));
    }

    @AfterEach
    void stop() {
        metrics.close();
        control.shutdownNow();
    }

    private Backend backend(String id) {
        return web.find(id).orElseThrow();
    }

    private PrometheusText scrape() {
        return PrometheusText.parse(metrics.scrape());
    }

    @Test
    void requestsAreCountedByListenerPoolBackendAndStatusClass() {
        ExchangeEvents e = metrics.events();
        for (int i = 0; i < 3; i++) {
            e.requestDone("web", web, backend(A), 200, TimeUnit.MILLISECONDS.toNanos(3));
        }
        e.requestDone("admin-side", web, backend(A), 404, 1000);
        e.requestDone("web", web, backend(B), 502, TimeUnit.MILLISECONDS.toNanos(40));
        e.requestDone("web", web, null, 503, 1000);
        e.requestDone("web", null, null, 404, 1000);
        PrometheusText p = scrape();
        assertEquals(3.0, p.value("fulcrum_requests_total", "listener", "web", "pool", "web", "backend", A,
                "status_class", "2xx"));
        assertEquals(0.0, p.value("fulcrum_requests_total", "listener", "web", "pool", "web", "backend", A,
                "status_class", "5xx"), "every class exists once the listener sent a request");
        assertEquals(1.0, p.value("fulcrum_requests_total", "listener", "admin-side", "pool", "web", "backend", A,
                "status_class", "4xx"));
        assertEquals(1.0, p.value("fulcrum_requests_total", "listener", "web", "pool", "web", "backend", B,
                "status_class", "5xx"));
        assertEquals(1.0, p.value("fulcrum_requests_total", "listener", "web", "pool", "web", "backend", "",
                "status_class", "5xx"), "Fulcrum's own 503 for the pool");
        assertEquals(1.0, p.value("fulcrum_requests_total", "listener", "web", "pool", "", "backend", "",
                "status_class", "4xx"), "no route matched");
    }

    @Test
    void durationsFillTheHistogramBuckets() {
        ExchangeEvents e = metrics.events();
        e.requestDone("web", web, backend(A), 200, TimeUnit.MILLISECONDS.toNanos(3));
        e.requestDone("web", web, backend(A), 200, TimeUnit.MILLISECONDS.toNanos(3));
        e.requestDone("web", web, backend(A), 200, TimeUnit.MILLISECONDS.toNanos(700));
        PrometheusText p = scrape();
        assertEquals("histogram", p.types.get("fulcrum_request_duration_seconds"));
        assertEquals(3.0, p.value("fulcrum_request_duration_seconds_count", "pool", "web", "backend", A));
        assertEquals(0.706, p.value("fulcrum_request_duration_seconds_sum", "pool", "web", "backend", A), 1e-9);
        assertEquals(0.0, p.value("fulcrum_request_duration_seconds_bucket", "pool", "web", "backend", A, "le", "0.001"));
        assertEquals(2.0, p.value("fulcrum_request_duration_seconds_bucket", "pool", "web", "backend", A, "le", "0.005"));
        assertEquals(2.0, p.value("fulcrum_request_duration_seconds_bucket", "pool", "web", "backend", A, "le", "0.5"));
        assertEquals(3.0, p.value("fulcrum_request_duration_seconds_bucket", "pool", "web", "backend", A, "le", "1.0"));
        assertEquals(3.0, p.value("fulcrum_request_duration_seconds_bucket", "pool", "web", "backend", A, "le", "+Inf"));
    }

    @Test
    void retriesAndFailuresAreCounted() {
        metrics.events().retried(web);
        metrics.events().retried(web);
        metrics.events().backendResult(backend(B), true);
        metrics.events().backendResult(backend(B), false);
        PrometheusText p = scrape();
        assertEquals(2.0, p.value("fulcrum_retries_total", "pool", "web"));
        assertEquals(1.0, p.value("fulcrum_backend_failures_total", "pool", "web", "backend", B));
        assertEquals(0.0, p.value("fulcrum_backend_failures_total", "pool", "web", "backend", A));
    }

    @Test
    void backendGaugesReadLiveValues() {
        backend(A).stats().requestStarted();
        backend(A).stats().requestStarted();
        web.setEffectiveWeight(backend(A), 61);
        web.setHealth(backend(B), HealthStatus.DOWN);
        loads = b -> b.id().equals(A) ? new BackendLoad(0.42, 17, Instant.EPOCH) : null;
        PrometheusText p = scrape();
        assertEquals(2.0, p.value("fulcrum_backend_in_flight", "pool", "web", "backend", A));
        assertEquals(61.0, p.value("fulcrum_backend_effective_weight", "pool", "web", "backend", A));
        assertEquals(100.0, p.value("fulcrum_backend_weight", "pool", "web", "backend", A));
        assertEquals(1.0, p.value("fulcrum_backend_up", "pool", "web", "backend", A));
        assertEquals(0.0, p.value("fulcrum_backend_up", "pool", "web", "backend", B));
        assertEquals(0.42, p.value("fulcrum_backend_cpu_utilization", "pool", "web", "backend", A));
        assertTrue(p.value("fulcrum_backend_cpu_utilization", "pool", "web", "backend", B).isNaN());
        assertEquals(2.0, p.value("fulcrum_pool_backends", "pool", "web"));
        assertEquals(1.0, p.value("fulcrum_pool_selectable_backends", "pool", "web"));
        assertEquals(1.0, p.value("fulcrum_backend_admin_state", "pool", "web", "backend", A, "state", "active"));
        assertEquals(0.0, p.value("fulcrum_backend_admin_state", "pool", "web", "backend", A, "state", "disabled"));
    }

    @Test
    void metersFollowBackendsAndPoolsAndCountTheirChanges() {
        Backend b = backend(B);
        Object bMeters = b.meters();
        assertNotNull(bMeters, "made when the backend appeared");
        pools.setAdminState(web, backend(A), AdminState.DISABLED);
        pools.setWeight(web, backend(A), 20);
        pools.removeBackend(web, b);
        Backend c = pools.addBackend(web, HostPort.parse(C), 5, Backend.Source.API, HealthStatus.UNKNOWN);
        metrics.events().requestDone("web", web, b, 200, 1000);
        PrometheusText p = scrape();
        assertFalse(p.hasSample("fulcrum_backend_up", "backend", B), "a removed backend's series go");
        assertFalse(p.hasSample("fulcrum_requests_total", "backend", B), "and do not come back on a late request");
        assertSame(bMeters, b.meters());
        assertNotNull(c.meters());
        assertEquals(0.0, p.value("fulcrum_backend_up", "pool", "web", "backend", C));
        assertEquals(1.0, p.value("fulcrum_pool_events_total", "pool", "web", "event", "added"));
        assertEquals(1.0, p.value("fulcrum_pool_events_total", "pool", "web", "event", "removed"));
        assertEquals(1.0, p.value("fulcrum_pool_events_total", "pool", "web", "event", "disabled"));
        assertEquals(1.0, p.value("fulcrum_pool_events_total", "pool", "web", "event", "reweighted"));
        assertEquals(1.0, p.value("fulcrum_backend_admin_state", "pool", "web", "backend", A, "state", "disabled"));

        pools.removePool("web");
        p = scrape();
        assertFalse(p.hasSample("fulcrum_backend_up", "pool", "web"));
        assertFalse(p.hasSample("fulcrum_retries_total", "pool", "web"));
        assertFalse(p.hasSample("fulcrum_request_duration_seconds_count", "pool", "web"));
    }

    @Test
    void aPoolAddedLaterGetsItsMeters() {
        HostPort hp = HostPort.parse(C);
        BackendPool api = pools.addPool(TestConfigs.pool("api", "random", List.of(C), 1),
                List.of(new Backend(hp, hp.resolve(), 100, Backend.Source.CONFIG, HealthStatus.UP)));
        assertNotNull(api.meters());
        assertNotNull(api.backends().get(0).meters());
        assertEquals(1.0, scrape().value("fulcrum_backend_up", "pool", "api", "backend", C));
    }

    @Test
    void reloadsAndListenersAreCounted() {
        metrics.reloaded(new ReloadStatus(2, Instant.now(), true, List.of()));
        metrics.reloaded(new ReloadStatus(2, Instant.now(), false, List.of("x.conf:1: bad")));
        ListenerContext one = listener("web");
        metrics.listenersChanged(List.of(one, listener("tls")));
        PrometheusText p = scrape();
        assertEquals(1.0, p.value("fulcrum_config_reloads_total", "result", "ok"));
        assertEquals(1.0, p.value("fulcrum_config_reloads_total", "result", "failed"));
        assertEquals(2.0, p.value("fulcrum_config_generation"));
        assertEquals(0.0, p.value("fulcrum_config_last_reload_successful"));
        assertEquals(0.0, p.value("fulcrum_connections_active", "listener", "web"));
        assertEquals(0.0, p.value("fulcrum_connections_active", "listener", "tls"));

        metrics.listenersChanged(List.of(one));
        assertNull(scrape().value("fulcrum_connections_active", "listener", "tls"), "a removed listener's gauge goes");
    }

    private static ListenerContext listener(String name) {
        return new ListenerContext(name, null, new Routes(List.of()), TestConfigs.defaultLimits(),
                TestConfigs.defaultTimeouts(), null, null, ExchangeEvents.NONE);
    }
}
