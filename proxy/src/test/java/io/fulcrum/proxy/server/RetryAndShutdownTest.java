package io.fulcrum.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fulcrum.proxy.daemon.Daemon;
import io.fulcrum.proxy.testing.RawHttp;
import io.fulcrum.proxy.testing.TestBackend;
import io.fulcrum.proxy.testing.TestConfigs;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Retries to another backend (SPEC section 6) and graceful shutdown (SPEC section 2), on real sockets. */
class RetryAndShutdownTest {

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final TestBackend a = new TestBackend("a");
    private final TestBackend b = new TestBackend("b");
    private Daemon daemon;

    @AfterEach
    void tearDown() {
        if (daemon != null) {
            daemon.close();
        }
        a.close();
        b.close();
    }

    private HttpResponse<String> send(InetSocketAddress proxy, String method, String path) throws Exception {
        HttpRequest.BodyPublisher body = method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString("payload");
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.getPort() + path))
                .method(method, body).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void refusedConnectionsAreRetriedOnTheOtherBackend() throws Exception {
        a.stop();
        daemon = Daemon.start(TestConfigs.simple(List.of(a.address(), b.address()), 2));
        InetSocketAddress proxy = daemon.listenerAddress("web");
        for (int i = 0; i < 10; i++) {
            // Round-robin sends every other request to the dead backend; each is redispatched to b,
            // a POST included, since nothing of it was sent.
            HttpResponse<String> r = send(proxy, i % 2 == 0 ? "GET" : "POST", "/x");
            assertEquals(200, r.statusCode());
            assertEquals("b", r.body());
        }
        assertEquals(10, b.requestCount());
    }

    @Test
    void idempotentRequestsAreRetriedAfterAResetButPostsAreNot() throws Exception {
        daemon = Daemon.start(TestConfigs.simple(List.of(a.address(), b.address()), 1));
        InetSocketAddress proxy = daemon.listenerAddress("web");
        // Both backends reset /reset: the GET is tried on a, then b (one retry), then answered 502.
        assertEquals(502, send(proxy, "GET", "/reset").statusCode());
        assertEquals(2, a.requestCount() + b.requestCount());
        // A PUT (idempotent) carrying a small body is replayed too.
        assertEquals(502, send(proxy, "PUT", "/reset").statusCode());
        assertEquals(4, a.requestCount() + b.requestCount());
        // A POST is not: the backend may have acted on it.
        assertEquals(502, send(proxy, "POST", "/reset").statusCode());
        assertEquals(5, a.requestCount() + b.requestCount());
    }

    @Test
    void gracefulShutdownLetsTheRequestInFlightFinish() throws Exception {
        daemon = Daemon.start(TestConfigs.simple(List.of(a.address()), 0));
        InetSocketAddress proxy = daemon.listenerAddress("web");
        CompletableFuture<HttpResponse<String>> held = CompletableFuture.supplyAsync(() -> {
            try {
                return send(proxy, "GET", "/hold");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (a.inFlight() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(1, a.inFlight());
        CompletableFuture<Void> stopped = CompletableFuture.runAsync(daemon::close);
        // The listener stops accepting at once...
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        boolean refused = false;
        while (!refused && System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(proxy, 500);
                Thread.sleep(5);
            } catch (ConnectException e) {
                refused = true;
            }
        }
        assertTrue(refused, "listener still accepting during shutdown");
        // ...while the request in flight is still waited for.
        assertTrue(!stopped.isDone());
        a.releaseHeld();
        HttpResponse<String> r = held.get(5, TimeUnit.SECONDS);
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("connection").orElse("").equalsIgnoreCase("close"));
        stopped.get(5, TimeUnit.SECONDS);
        daemon = null;
    }

    @Test
    void idleKeepAliveConnectionsAreClosedAtShutdown() throws Exception {
        daemon = Daemon.start(TestConfigs.simple(List.of(a.address()), 0));
        try (RawHttp raw = new RawHttp(daemon.listenerAddress("web"))) {
            assertTrue(raw.send("GET /x HTTP/1.1\r\nHost: h\r\n\r\n").readResponse().startsWith("HTTP/1.1 200"));
            long start = System.nanoTime();
            daemon.close();
            daemon = null;
            assertTrue(raw.isClosedByPeer());
            // Idle connections do not hold the shutdown for the grace period (5 s in TestConfigs).
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3));
        }
    }
}
