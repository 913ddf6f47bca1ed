package io.fulcrum.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fulcrum.proxy.config.BackendConfig;
import io.fulcrum.proxy.config.HashKeyConfig;
import io.fulcrum.proxy.config.HostPort;
import io.fulcrum.proxy.config.PoolConfig;
import io.fulcrum.proxy.config.RouteConfig;
import io.fulcrum.proxy.daemon.Daemon;
import io.fulcrum.proxy.testing.TestBackend;
import io.fulcrum.proxy.testing.TestConfigs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Strategies and backend connection limits seen from outside: real client, real daemon, real backends
 * (issue 3's end-to-end tests; the algorithms themselves are unit-tested in lb/).
 */
class BalancingThroughTheProxyTest {

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<TestBackend> backends = new ArrayList<>();
    private Daemon daemon;

    @AfterEach
    void tearDown() {
        if (daemon != null) {
            daemon.close();
        }
        backends.forEach(TestBackend::close);
    }

    private List<TestBackend> backends(int n) {
        for (int i = 0; i < n; i++) {
            backends.add(new TestBackend("b" + (i + 1)));
        }
        return backends;
    }

    private static PoolConfig pool(String strategy, List<TestBackend> backends, int[] weights,
                                   Optional<HashKeyConfig> hashKey, int maxConns, int maxQueue, Duration queueTimeout) {
        List<BackendConfig> list = new ArrayList<>();
        for (int i = 0; i < backends.size(); i++) {
            list.add(new BackendConfig(HostPort.parse(backends.get(i).address()), weights[i]));
        }
        PoolConfig p = TestConfigs.pool("web", strategy, List.of(), 0);
        return new PoolConfig("web", strategy, hashKey, list, p.health(), p.outlier(), p.slowStart(), p.connectTimeout(),
                p.responseTimeout(), 0, maxConns, queueTimeout, maxQueue, p.retryBufferBytes());
    }

    private void start(PoolConfig pool) {
        daemon = Daemon.start(TestConfigs.config(List.of(new RouteConfig(Optional.empty(), "/", "web")), List.of(pool),
                TestConfigs.defaultLimits(), TestConfigs.defaultTimeouts()));
    }

    private HttpResponse<String> get(String path, String userId) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + daemon.listenerAddress("web").getPort() + path)).timeout(Duration.ofSeconds(10));
        if (userId != null) {
            b.header("X-User-Id", userId);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void weightedRoundRobinHonoursWeightsExactly() throws Exception {
        start(pool("weighted-round-robin", backends(3), new int[] {100, 200, 300}, Optional.empty(), 0, 0,
                Duration.ofSeconds(5)));
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 60; i++) {
            counts.merge(get("/", null).body(), 1, Integer::sum);
        }
        // Smooth WRR is exact over whole cycles: 60 requests = 10 cycles of (1 + 2 + 3).
        assertEquals(Map.of("b1", 10, "b2", 20, "b3", 30), counts);
    }

    @Test
    void consistentHashKeepsAUserOnOneBackend() throws Exception {
        start(pool("consistent-hash", backends(3), new int[] {100, 100, 100},
                Optional.of(new HashKeyConfig(HashKeyConfig.Kind.HEADER, "X-User-Id")), 0, 0, Duration.ofSeconds(5)));
        Map<String, String> home = new HashMap<>();
        for (int round = 0; round < 3; round++) {
            for (int user = 0; user < 30; user++) {
                String served = get("/", "user-" + user).body();
                String before = home.putIfAbsent("user-" + user, served);
                assertTrue(before == null || before.equals(served), "user-" + user + " moved");
            }
        }
        // 30 users over 3 equal backends: every backend is some user's home.
        assertEquals(3, home.values().stream().distinct().count());
    }

    @Test
    void requestsAboveTheConnectionLimitQueueThenGet503() throws Exception {
        TestBackend only = backends(1).get(0);
        start(pool("round-robin", backends, new int[] {100}, Optional.empty(), 1, 1, Duration.ofMillis(500)));
        CompletableFuture<HttpResponse<String>> held = async("/hold");
        awaitInFlight(only, 1);
        // The slot is taken: the next request waits in the queue (max-queue 1)...
        CompletableFuture<HttpResponse<String>> queued = async("/queued");
        awaitQueued(1);
        // ...and one more finds the queue full: 503 at once.
        HttpResponse<String> full = get("/full", null);
        assertEquals(503, full.statusCode());
        assertEquals("1", full.headers().firstValue("retry-after").orElse(""));
        // Freeing the slot hands it to the queued request.
        only.releaseHeld();
        assertEquals(200, held.get(5, TimeUnit.SECONDS).statusCode());
        assertEquals(200, queued.get(5, TimeUnit.SECONDS).statusCode());
        assertEquals(1, only.peakInFlight(), "the backend never had more than max-connections-per-backend");
        // A request that waits longer than queue-timeout gets 503.
        CompletableFuture<HttpResponse<String>> heldAgain = async("/hold");
        awaitInFlight(only, 1);
        long start = System.nanoTime();
        HttpResponse<String> timedOut = get("/late", null);
        assertEquals(503, timedOut.statusCode());
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(450), "answered before queue-timeout");
        only.releaseHeld();
        assertEquals(200, heldAgain.get(5, TimeUnit.SECONDS).statusCode());
        assertEquals(List.of("/hold", "/queued", "/hold"), only.requests().stream().map(TestBackend.Seen::uri).toList());
    }

    private CompletableFuture<HttpResponse<String>> async(String path) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return get(path, null);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static void awaitInFlight(TestBackend b, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (b.inFlight() < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(n, b.inFlight());
    }

    private void awaitQueued(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        var queue = daemon.pools().pool("web").waitQueue();
        while (queue.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(n, queue.size());
    }
}
