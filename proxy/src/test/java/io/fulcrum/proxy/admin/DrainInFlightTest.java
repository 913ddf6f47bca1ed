package io.fulcrum.proxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.fulcrum.proxy.daemon.Daemon;
import io.fulcrum.proxy.testing.TestBackend;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drain (SPEC section 7, issue 5) with a request held in flight on the backend: the held request
 * completes 200, no new request reaches the backend meanwhile, and {@code ?wait=} answers once it is
 * drained — or 408 when the wait runs out first.
 */
class DrainInFlightTest {

    @TempDir
    Path dir;
    private final TestBackend a = new TestBackend("a");
    private final TestBackend b = new TestBackend("b");
    private Daemon daemon;
    private AdminClient api;

    @BeforeEach
    void start() {
        daemon = AdminFixture.start(AdminFixture.writeConfig(dir, List.of(a.address(), b.address())));
        api = AdminFixture.client(daemon);
    }

    @AfterEach
    void stop() {
        a.releaseHeld();
        daemon.close();
        a.close();
        b.close();
    }

    /** Sends requests until one is held on {@code a} (round-robin alternates a and b). */
    private CompletableFuture<HttpResponse<String>> holdOnA() throws Exception {
        CompletableFuture<HttpResponse<String>> held = AdminFixture.trafficClient()
                .sendAsync(AdminFixture.request(daemon, "/hold"), HttpResponse.BodyHandlers.ofString());
        AdminFixture.await("a request is held", () -> a.inFlight() + b.inFlight() == 1);
        if (b.inFlight() == 1) {
            b.releaseHeld();
            assertEquals(200, held.get(10, TimeUnit.SECONDS).statusCode());
            return holdOnA();
        }
        return held;
    }

    @Test
    void theHeldRequestCompletesWhileNoNewRequestReachesTheDrainingBackend() throws Exception {
        CompletableFuture<HttpResponse<String>> held = holdOnA();
        String path = "/api/v1/pools/web/backends/" + a.address() + "/drain";
        CompletableFuture<HttpResponse<String>> drain = api.sendAsync("POST", path + "?wait=20s", null);
        AdminFixture.await("a is draining", () -> api.json("/api/v1/pools/web/backends/" + a.address())
                .get("state").asText().equals("draining"));
        assertEquals(1, api.json("/api/v1/pools/web/backends/" + a.address()).get("inFlight").asInt());

        int seenByA = a.requestCount();
        for (int i = 0; i < 8; i++) {
            HttpResponse<String> r = AdminFixture.traffic(daemon, "/x");
            assertEquals(200, r.statusCode());
            assertEquals("b", r.body());
        }
        assertEquals(seenByA, a.requestCount(), "no new request reached the draining backend");
        assertFalse(drain.isDone(), "the wait lasts while a request is in flight");

        a.releaseHeld();
        HttpResponse<String> finished = held.get(10, TimeUnit.SECONDS);
        assertEquals(200, finished.statusCode());
        assertEquals("a", finished.body());

        HttpResponse<String> drained = drain.get(10, TimeUnit.SECONDS);
        assertEquals(200, drained.statusCode(), drained.body());
        assertEquals("drained", AdminClient.parse(drained.body()).get("state").asText());
        assertEquals(0, AdminClient.parse(drained.body()).get("inFlight").asInt());
    }

    @Test
    void aWaitThatRunsOutAnswers408AndTheDrainGoesOn() throws Exception {
        CompletableFuture<HttpResponse<String>> held = holdOnA();
        String backend = "/api/v1/pools/web/backends/" + a.address();
        HttpResponse<String> r = api.post(backend + "/drain?wait=200ms", null);
        assertEquals(408, r.statusCode(), r.body());
        assertEquals("drain timeout", AdminClient.parse(r.body()).get("error").asText());
        assertEquals("draining", api.json(backend).get("state").asText());

        a.releaseHeld();
        assertEquals(200, held.get(10, TimeUnit.SECONDS).statusCode());
        AdminFixture.await("a is drained", () -> api.json(backend).get("state").asText().equals("drained"));
    }

    @Test
    void reEnablingEndsAWaitingDrainWith409() throws Exception {
        CompletableFuture<HttpResponse<String>> held = holdOnA();
        String backend = "/api/v1/pools/web/backends/" + a.address();
        CompletableFuture<HttpResponse<String>> drain = api.sendAsync("POST", backend + "/drain?wait=20s", null);
        AdminFixture.await("a is draining", () -> api.json(backend).get("state").asText().equals("draining"));
        assertEquals(200, api.patch(backend, "{\"state\":\"active\"}").statusCode());
        HttpResponse<String> ended = drain.get(10, TimeUnit.SECONDS);
        assertEquals(409, ended.statusCode(), ended.body());
        a.releaseHeld();
        assertEquals(200, held.get(10, TimeUnit.SECONDS).statusCode());
    }

    @Test
    void aForcedRemovalEndsAWaitingDrainWith404() throws Exception {
        CompletableFuture<HttpResponse<String>> held = holdOnA();
        String backend = "/api/v1/pools/web/backends/" + a.address();
        CompletableFuture<HttpResponse<String>> drain = api.sendAsync("POST", backend + "/drain?wait=20s", null);
        AdminFixture.await("a is draining", () -> api.json(backend).get("state").asText().equals("draining"));
        assertEquals(200, api.delete(backend + "?force=true").statusCode());
        assertEquals(404, drain.get(10, TimeUnit.SECONDS).statusCode());
        a.releaseHeld();
        // The removed backend's in-flight request still finishes on its connection.
        assertEquals(200, held.get(10, TimeUnit.SECONDS).statusCode());
    }
}
