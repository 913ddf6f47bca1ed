package io.fulcrum.proxy.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fulcrum.proxy.backend.Backend;
import io.fulcrum.proxy.config.ConfigLoader;
import io.fulcrum.proxy.config.InvalidConfigException;
import io.fulcrum.proxy.testing.RawHttp;
import io.fulcrum.proxy.testing.TestBackend;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hot reload (SPEC section 3, issue 6) on real sockets, from real config files. */
class ReloadTest {

    @TempDir
    Path dir;
    private Path file;
    private final TestBackend a = new TestBackend("a");
    private final TestBackend b = new TestBackend("b");
    private final TestBackend c = new TestBackend("c");
    private int port;
    private Daemon daemon;

    @BeforeEach
    void setUp() throws Exception {
        file = dir.resolve("fulcrum.conf");
        port = freePort();
        write(config("round-robin", List.of(a, b), "", ""));
        daemon = Daemon.start(ConfigLoader.load(file));
    }

    @AfterEach
    void tearDown() {
        daemon.close();
        a.close();
        b.close();
        c.close();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A config with one listener on {@code port}; {@code extraRoute} and {@code extraListener} are HOCON. */
    private String config(String strategy, List<TestBackend> backends, String extraRoute, String extraListener) {
        StringBuilder list = new StringBuilder();
        for (TestBackend t : backends) {
            list.append("{ address = \"").append(t.address()).append("\" }\n");
        }
        return """
                fulcrum {
                  listeners = [
                    { name = web, bind = "127.0.0.1:%d", routes = [ %s { path-prefix = "/", pool = web } ] }
                    %s
                  ]
                  pools {
                    web { strategy = %s, retries = 0, health { type = none }, backends = [ %s ] }
                    other { health { type = none }, backends = [ { address = "%s" } ] }
                  }
                  admin { bind = "127.0.0.1:0" }
                  threads = 1
                }
                """.formatted(port, extraRoute, extraListener, strategy, list, c.address());
    }

    /** Writes the config as an editor does: a temp file, then an atomic rename over the old one. */
    private void write(String text) throws IOException {
        Path tmp = dir.resolve(".fulcrum.conf.tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void fiftyReloadsUnderTrafficFailNoRequest() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger ok = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        Runnable loop = () -> {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/x"))
                    .timeout(Duration.ofSeconds(10)).build();
            int sent = 0;
            while (running.get() && sent++ < 100_000) {
                try {
                    HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) {
                        ok.incrementAndGet();
                    } else {
                        failures.add(r.statusCode() + " " + r.body());
                    }
                } catch (Exception e) {
                    failures.add(e.toString());
                }
            }
        };
        Thread t1 = new Thread(loop);
        Thread t2 = new Thread(loop);
        t1.start();
        t2.start();
        try {
            await(() -> ok.get() >= 10, "the client loops to get going");
            String[] strategies = {"round-robin", "least-connections", "dynamic", "weighted-round-robin"};
            for (int i = 0; i < 50; i++) {
                // Alternate: backend b in or out, an extra route in or out, and a new strategy each time.
                List<TestBackend> backends = i % 2 == 0 ? List.of(a) : List.of(a, b);
                String route = i % 2 == 0 ? "{ path-prefix = \"/other/\", pool = other }," : "";
                long generation = daemon.reloadStatus().generation();
                int served = ok.get();
                write(config(strategies[i % strategies.length], backends, route, ""));
                daemon.reload();
                assertEquals(generation + 1, daemon.reloadStatus().generation());
                // Requests are served between every two reloads, so the reloads really meet traffic.
                await(() -> ok.get() > served + 1, "requests after reload " + generation);
            }
        } finally {
            running.set(false);
            t1.join(10_000);
            t2.join(10_000);
        }
        assertTrue(failures.isEmpty(), "failed requests during reloads: " + failures);
        assertTrue(ok.get() > 100, "the client loops ran: " + ok.get());
    }

    @Test
    void keptBackendsAndKeepAliveClientsSurviveAReload() throws Exception {
        Backend before = daemon.pools().pool("web").find(a.address()).orElseThrow();
        try (RawHttp raw = new RawHttp(new InetSocketAddress("127.0.0.1", port))) {
            assertTrue(raw.send("GET /x HTTP/1.1\r\nHost: h\r\n\r\n").readResponse().startsWith("HTTP/1.1 200"));
            write(config("least-connections", List.of(a, b), "{ path-prefix = \"/other/\", pool = other },", ""));
            daemon.reload();
            // The same connection now follows the new routing table.
            String other = raw.send("GET /other/x HTTP/1.1\r\nHost: h\r\n\r\n").readResponse();
            assertTrue(other.startsWith("HTTP/1.1 200") && other.endsWith("c"), other);
        }
        Backend after = daemon.pools().pool("web").find(a.address()).orElseThrow();
        assertTrue(before == after, "a kept backend is the same object, with its state and counters");
        assertEquals("least-connections", daemon.pools().pool("web").config().strategy());
    }

    @Test
    void removedBackendIsDrainedNotCut() throws Exception {
        write(config("round-robin", List.of(a, b), "", ""));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        var held = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                // Round-robin: the first request goes to a, the second to b; hold b's.
                client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/x")).build(),
                        HttpResponse.BodyHandlers.ofString());
                return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hold")).build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await(() -> b.inFlight() == 1, "a request held on b");
        write(config("round-robin", List.of(a), "", ""));
        daemon.reload();
        Backend gone = daemon.pools().pool("web").find(b.address()).orElseThrow();
        assertEquals("draining", gone.adminState().word());
        b.releaseHeld();
        assertEquals(200, held.get(5, TimeUnit.SECONDS).statusCode());
        await(() -> daemon.pools().pool("web").find(b.address()).isEmpty(), "b removed once drained");
    }

    @Test
    void invalidConfigKeepsTheOldOneServing() throws Exception {
        write(config("round-robin", List.of(a), "", "").replace("strategy = round-robin", "strategy = fastest"));
        InvalidConfigException e = assertThrows(InvalidConfigException.class, daemon::reload);
        assertTrue(e.errors().get(0).contains("fulcrum.conf:"), e.errors().toString());
        assertTrue(e.errors().get(0).contains("fastest"), e.errors().toString());
        ReloadStatus status = daemon.reloadStatus();
        assertEquals(1, status.generation());
        assertFalse(status.lastOk());
        assertEquals(e.errors(), status.lastErrors());
        assertEquals(2, daemon.pools().pool("web").backends().size(), "old config still in force");
        try (RawHttp raw = new RawHttp(new InetSocketAddress("127.0.0.1", port))) {
            assertTrue(raw.send("GET /x HTTP/1.1\r\nHost: h\r\n\r\n").readResponse().startsWith("HTTP/1.1 200"));
        }
    }

    @Test
    void listenersAreAddedAndRemovedByReload() throws Exception {
        int second = freePort();
        write(config("round-robin", List.of(a, b), "",
                "{ name = extra, bind = \"127.0.0.1:" + second + "\", routes = [ { path-prefix = \"/\", pool = other } ] }"));
        daemon.reload();
        try (RawHttp raw = new RawHttp(new InetSocketAddress("127.0.0.1", second))) {
            assertTrue(raw.send("GET /x HTTP/1.1\r\nHost: h\r\n\r\n").readResponse().endsWith("c"));
            write(config("round-robin", List.of(a, b), "", ""));
            daemon.reload();
            assertNull(daemon.listenerAddress("extra"));
            // Its open connection finishes its business; new connections are refused.
            assertTrue(raw.send("GET /x HTTP/1.1\r\nHost: h\r\n\r\n").readResponse().endsWith("c"));
        }
        assertThrows(java.net.ConnectException.class, () -> new RawHttp(new InetSocketAddress("127.0.0.1", second)));
    }

    @Test
    void aNewListenerOnATakenPortRejectsTheWholeReload() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            write(config("round-robin", List.of(a, b, c), "",
                    "{ name = extra, bind = \"127.0.0.1:" + taken.getLocalPort() + "\", routes = [ { path-prefix = \"/\", pool = other } ] }"));
            InvalidConfigException e = assertThrows(InvalidConfigException.class, daemon::reload);
            assertTrue(e.errors().get(0).contains("cannot bind"), e.errors().toString());
        }
        // Nothing of that reload happened: no new backend, no new listener, same generation.
        assertEquals(2, daemon.pools().pool("web").backends().size());
        assertNull(daemon.listenerAddress("extra"));
        assertEquals(1, daemon.reloadStatus().generation());
        assertNotNull(daemon.listenerAddress("web"));
    }

    @Test
    void anInvalidSaveIsRefusedByTheWatcherAndTheOldConfigServes() throws Exception {
        // A typo in a key: unknown keys are errors, so the whole save is refused.
        write(config("round-robin", List.of(a), "", "")
                .replace("{ address = \"" + a.address() + "\" }", "{ address = \"" + a.address() + "\", wieght = 5 }"));
        await(() -> daemon.reloadStatus().lastAt() != null, "the watcher's reload attempt");
        ReloadStatus status = daemon.reloadStatus();
        assertFalse(status.lastOk());
        assertTrue(status.lastErrors().get(0).contains("fulcrum.conf:") && status.lastErrors().get(0).contains("wieght"),
                status.lastErrors().toString());
        assertEquals(1, status.generation());
        assertEquals(2, daemon.pools().pool("web").backends().size(), "old config still in force");
        try (RawHttp raw = new RawHttp(new InetSocketAddress("127.0.0.1", port))) {
            assertTrue(raw.send("GET /x HTTP/1.1\r\nHost: h\r\n\r\n").readResponse().startsWith("HTTP/1.1 200"));
        }
    }

    @Test
    void anEditorStyleSaveIsPickedUpOnce() throws Exception {
        write(config("least-connections", List.of(a, b), "", ""));
        await(() -> daemon.reloadStatus().generation() == 2, "the file watcher's reload");
        assertEquals("least-connections", daemon.pools().pool("web").config().strategy());
        // Saving the same content again, or touching other files, reloads nothing.
        write(config("least-connections", List.of(a, b), "", ""));
        Files.writeString(dir.resolve("fulcrum-state.json"), "{}");
        Thread.sleep(ConfigWatcher.DEBOUNCE_MILLIS * 3);
        assertEquals(2, daemon.reloadStatus().generation());
    }
}
