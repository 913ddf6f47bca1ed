package io.fulcrum.proxy.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fulcrum.proxy.config.ConfigLoader;
import io.fulcrum.proxy.config.InvalidConfigException;
import io.fulcrum.proxy.daemon.Daemon;
import io.fulcrum.proxy.testing.TestBackend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /metrics} of the real daemon after real traffic: valid Prometheus text with every SPEC section 8 name. */
class MetricsEndpointTest {

    /** SPEC section 8, as exposed (the histogram through its buckets). */
    static final List<String> SPEC_NAMES = List.of("fulcrum_requests_total", "fulcrum_request_duration_seconds_bucket",
            "fulcrum_backend_up", "fulcrum_backend_effective_weight", "fulcrum_backend_in_flight",
            "fulcrum_backend_cpu_utilization", "fulcrum_connections_active", "fulcrum_config_reloads_total",
            "fulcrum_retries_total");

    @TempDir
    Path dir;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final TestBackend a = new TestBackend("a");
    private Daemon daemon;

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
        a.close();
    }

    private HttpResponse<String> get(int port, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metricsParseAsPrometheusTextAndHoldEverySpecName() throws Exception {
        Path conf = dir.resolve("fulcrum.conf");
        Files.writeString(conf, """
                fulcrum {
                  listeners = [ { name = edge, bind = "127.0.0.1:0", routes = [ { path-prefix = "/", pool = web } ] } ]
                  pools { web { strategy = round-robin, backends = [ { address = "%s" } ], retries = 1,
                                health { type = http, interval = 60s } } }
                  admin { bind = "127.0.0.1:0", token = "t0ken", state-file = "state.json" }
                  threads = 1
                  timeouts { shutdown-grace = 1s }
                }
                """.formatted(a.address()));
        daemon = Daemon.start(ConfigLoader.load(conf));
        int proxy = daemon.listenerAddress("edge").getPort();
        for (int i = 0; i < 5; i++) {
            assertEquals(200, get(proxy, "/x", null).statusCode());
        }
        assertEquals(500, get(proxy, "/status/500", null).statusCode());
        Files.writeString(conf, "fulcrum { nonsense = 1 }");
        assertThrows(InvalidConfigException.class, daemon::reload);

        int admin = daemon.adminAddress().getPort();
        assertEquals(401, get(admin, "/metrics", null).statusCode());
        HttpResponse<String> r = get(admin, "/metrics", "t0ken");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/plain; version=0.0.4"),
                r.headers().toString());
        PrometheusText p = PrometheusText.parse(r.body());
        for (String name : SPEC_NAMES) {
            assertTrue(p.samples.keySet().stream().anyMatch(k -> k.startsWith(name + "{")), name + " is missing");
        }
        String id = a.address();
        assertEquals(5.0, p.value("fulcrum_requests_total", "listener", "edge", "pool", "web", "backend", id,
                "status_class", "2xx"));
        assertEquals(1.0, p.value("fulcrum_requests_total", "listener", "edge", "pool", "web", "backend", id,
                "status_class", "5xx"));
        assertEquals(6.0, p.value("fulcrum_request_duration_seconds_count", "pool", "web", "backend", id));
        assertEquals(1.0, p.value("fulcrum_backend_failures_total", "pool", "web", "backend", id));
        // The file watcher may have tried the broken file too: at least the explicit reload counted.
        assertTrue(p.value("fulcrum_config_reloads_total", "result", "failed") >= 1.0);
        assertEquals(0.0, p.value("fulcrum_config_reloads_total", "result", "ok"));
        assertEquals(1.0, p.value("fulcrum_backend_up", "pool", "web", "backend", id));
        assertEquals(0.0, p.value("fulcrum_backend_in_flight", "pool", "web", "backend", id));
        assertEquals(100.0, p.value("fulcrum_backend_effective_weight", "pool", "web", "backend", id));
        assertTrue(p.value("fulcrum_backend_cpu_utilization", "pool", "web", "backend", id).isNaN(),
                "no load report yet");
        assertEquals(0.0, p.value("fulcrum_retries_total", "pool", "web"), "one backend: nowhere to retry");
        Double connections = p.value("fulcrum_connections_active", "listener", "edge");
        assertNotNull(connections);
        assertTrue(connections >= 0 && connections <= 1, "the client's keep-alive connection at most");
        assertTrue(p.hasSample("jvm_memory_used_bytes"), "JVM meters are there too");
    }
}
