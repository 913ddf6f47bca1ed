package io.fulcrum.proxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fulcrum.proxy.backend.AdminState;
import io.fulcrum.proxy.daemon.Daemon;
import io.fulcrum.proxy.testing.TestBackend;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every endpoint of SPEC section 7 and its status codes, through the real daemon on real sockets. */
class AdminEndpointsTest {

    @TempDir
    Path dir;
    private final TestBackend a = new TestBackend("a");
    private final TestBackend b = new TestBackend("b");
    private Path conf;
    private Daemon daemon;
    private AdminClient api;

    @BeforeEach
    void start() {
        conf = AdminFixture.writeConfig(dir, List.of(a.address(), b.address()));
        daemon = AdminFixture.start(conf);
        api = AdminFixture.client(daemon);
    }

    @AfterEach
    void stop() {
        daemon.close();
        a.close();
        b.close();
    }

    private String backendPath(TestBackend t) {
        return "/api/v1/pools/web/backends/" + t.address();
    }

    @Test
    void healthzNeedsNoTokenAndEverythingElseDoes() {
        AdminClient anonymous = api.withToken(null);
        HttpResponse<String> healthz = anonymous.get("/healthz");
        assertEquals(200, healthz.statusCode());
        assertEquals("ok", healthz.body().trim());
        for (String path : List.of("/api/v1/status", "/api/v1/pools", "/metrics", "/api/v1/pools/web")) {
            HttpResponse<String> missing = anonymous.get(path);
            assertEquals(401, missing.statusCode(), path);
            assertEquals("unauthorized", AdminClient.parse(missing.body()).get("error").asText());
            assertEquals(401, api.withToken("wrong-token").get(path).statusCode(), path);
            assertEquals(200, api.get(path).statusCode(), path);
        }
        // A refused mutation changes nothing.
        assertEquals(401, anonymous.post("/api/v1/pools/web/backends", "{\"address\":\"127.0.0.1:1\"}").statusCode());
        assertEquals(2, api.json("/api/v1/pools/web").get("backends").size());
    }

    @Test
    void statusShowsVersionUptimeGenerationAndNoReloadYet() {
        JsonNode s = api.json("/api/v1/status");
        assertFalse(s.get("version").asText().isEmpty());
        assertTrue(s.get("uptimeSeconds").asLong() >= 0);
        assertEquals(1, s.get("configGeneration").asLong());
        assertEquals("none", s.get("lastReload").get("result").asText());
    }

    @Test
    void poolsListEveryBackendWithItsLiveCounters() throws Exception {
        for (int i = 0; i < 4; i++) {
            assertEquals(200, AdminFixture.traffic(daemon, "/x").statusCode());
        }
        JsonNode all = api.json("/api/v1/pools");
        assertEquals(1, all.get("pools").size());
        JsonNode web = all.get("pools").get(0);
        assertEquals("web", web.get("name").asText());
        assertEquals("round-robin", web.get("strategy").asText());
        JsonNode first = web.get("backends").get(0);
        assertEquals(a.address(), first.get("id").asText());
        assertEquals(a.address(), first.get("address").asText());
        assertEquals(100, first.get("weight").asInt());
        assertEquals("active", first.get("state").asText());
        assertEquals("up", first.get("health").asText());
        assertEquals("config", first.get("source").asText());
        assertEquals(2, first.get("requests").asLong());
        assertEquals(0, first.get("inFlight").asInt());
        assertEquals(0, first.get("failures").asLong());
        // No load report source yet: every load field is null, not absent.
        assertTrue(first.get("load").has("cpuUtilization"));
        assertTrue(first.get("load").get("cpuUtilization").isNull());
        assertEquals(Set.of("id", "address", "weight", "effectiveWeight", "state", "health", "inFlight",
                "activeConnections", "requests", "failures", "load", "source"), fields(first));

        assertEquals(web, api.json("/api/v1/pools/web"));
        assertEquals(a.address(), api.json(backendPath(a)).get("id").asText());
        HttpResponse<String> unknown = api.get("/api/v1/pools/nope");
        assertEquals(404, unknown.statusCode());
        assertEquals("unknown pool", AdminClient.parse(unknown.body()).get("error").asText());
        assertEquals(404, api.get("/api/v1/pools/web/backends/127.0.0.1:1").statusCode());
    }

    private static Set<String> fields(JsonNode n) {
        Set<String> names = new java.util.HashSet<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void addingABackendAnswers201AndItWaitsForItsProbes() throws Exception {
        try (TestBackend c = new TestBackend("c")) {
            HttpResponse<String> r = api.post("/api/v1/pools/web/backends",
                    "{\"address\":\"" + c.address() + "\",\"weight\":30}");
            assertEquals(201, r.statusCode(), r.body());
            assertEquals("/api/v1/pools/web/backends/" + c.address(), r.headers().firstValue("location").orElse(null));
            JsonNode added = AdminClient.parse(r.body());
            assertEquals("api", added.get("source").asText());
            assertEquals("unknown", added.get("health").asText());
            assertEquals(30, added.get("weight").asInt());
            JsonNode listed = api.backend("web", c.address());
            assertNotNull(listed);
            assertEquals("unknown", listed.get("health").asText());
            // Health unknown: no traffic before it passed its rise probes.
            for (int i = 0; i < 6; i++) {
                assertEquals(200, AdminFixture.traffic(daemon, "/x").statusCode());
            }
            assertEquals(0, c.requestCount());
            assertTrue(Files.readString(AdminFixture.stateFile(dir)).contains("\"" + c.address() + "\""));

            HttpResponse<String> again = api.post("/api/v1/pools/web/backends", "{\"address\":\"" + c.address() + "\"}");
            assertEquals(409, again.statusCode());
            assertEquals("backend exists", AdminClient.parse(again.body()).get("error").asText());
        }
        assertEquals(404, api.post("/api/v1/pools/nope/backends", "{\"address\":\"127.0.0.1:1\"}").statusCode());
        for (String bad : List.of("{\"address\":\"nohostport\"}", "not json", "{\"address\":\"127.0.0.1:1\",\"weight\":0}",
                "{\"adress\":\"127.0.0.1:1\"}")) {
            HttpResponse<String> r = api.post("/api/v1/pools/web/backends", bad);
            assertEquals(400, r.statusCode(), bad);
            assertEquals("bad request", AdminClient.parse(r.body()).get("error").asText());
        }
    }

    @Test
    void patchSetsWeightAndStateAndActiveUndoesADisable() throws Exception {
        HttpResponse<String> w = api.patch(backendPath(a), "{\"weight\":50}");
        assertEquals(200, w.statusCode(), w.body());
        assertEquals(50, AdminClient.parse(w.body()).get("weight").asInt());
        assertEquals("config", AdminClient.parse(w.body()).get("source").asText());
        assertEquals(50, daemon.pools().pool("web").find(a.address()).orElseThrow().weight());

        HttpResponse<String> d = api.patch(backendPath(a), "{\"state\":\"disabled\"}");
        assertEquals(200, d.statusCode());
        assertEquals("disabled", AdminClient.parse(d.body()).get("state").asText());
        int before = a.requestCount();
        for (int i = 0; i < 4; i++) {
            assertEquals("b", AdminFixture.traffic(daemon, "/x").body());
        }
        assertEquals(before, a.requestCount());

        HttpResponse<String> on = api.patch(backendPath(a), "{\"state\":\"active\"}");
        assertEquals("active", AdminClient.parse(on.body()).get("state").asText());
        AdminFixture.traffic(daemon, "/x");
        AdminFixture.traffic(daemon, "/x");
        assertTrue(a.requestCount() > before);

        assertEquals(404, api.patch("/api/v1/pools/web/backends/127.0.0.1:1", "{\"weight\":5}").statusCode());
        assertEquals(404, api.patch("/api/v1/pools/nope/backends/" + a.address(), "{\"weight\":5}").statusCode());
        for (String bad : List.of("{}", "{\"weight\":1001}", "{\"state\":\"draining\"}", "{\"state\":\"off\"}")) {
            assertEquals(400, api.patch(backendPath(a), bad).statusCode(), bad);
        }
    }

    @Test
    void drainWithoutWaitAnswers202AndWithWait200WhenIdle() {
        HttpResponse<String> started = api.post(backendPath(a) + "/drain", null);
        assertEquals(202, started.statusCode(), started.body());
        String state = AdminClient.parse(started.body()).get("state").asText();
        assertTrue(state.equals("draining") || state.equals("drained"), state);
        AdminFixture.await("a is drained", () -> api.json(backendPath(a)).get("state").asText().equals("drained"));

        HttpResponse<String> waited = api.post(backendPath(b) + "/drain?wait=5s", null);
        assertEquals(200, waited.statusCode(), waited.body());
        assertEquals("drained", AdminClient.parse(waited.body()).get("state").asText());

        assertEquals(404, api.post("/api/v1/pools/web/backends/127.0.0.1:1/drain", null).statusCode());
        assertEquals(400, api.post(backendPath(a) + "/drain?wait=soon", null).statusCode());
        // Nothing selectable any more: the data plane answers 503.
        try {
            assertEquals(503, AdminFixture.traffic(daemon, "/x").statusCode());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void deleteDrainsThenRemovesAndForceRemovesAtOnce() {
        HttpResponse<String> later = api.delete(backendPath(a));
        assertEquals(202, later.statusCode(), later.body());
        AdminFixture.await("a is removed", () -> api.backend("web", a.address()) == null);

        HttpResponse<String> now = api.delete(backendPath(b) + "?force=true");
        assertEquals(200, now.statusCode(), now.body());
        assertNull(api.backend("web", b.address()));
        assertEquals(0, daemon.pools().pool("web").backends().size());

        assertEquals(404, api.delete(backendPath(b)).statusCode());
        assertEquals(400, api.delete(backendPath(b) + "?force=maybe").statusCode());
    }

    @Test
    void patchBeforeTheDrainEndsCancelsAPendingDelete() throws Exception {
        var held = AdminFixture.trafficClient().sendAsync(AdminFixture.request(daemon, "/hold"),
                HttpResponse.BodyHandlers.ofString());
        AdminFixture.await("a request is held", () -> a.inFlight() + b.inFlight() == 1);
        TestBackend holding = a.inFlight() == 1 ? a : b;
        assertEquals(202, api.delete(backendPath(holding)).statusCode());
        assertEquals("draining", api.json(backendPath(holding)).get("state").asText());
        assertEquals(200, api.patch(backendPath(holding), "{\"state\":\"active\"}").statusCode());
        holding.releaseHeld();
        assertEquals(200, held.get().statusCode());
        // The removal was cancelled, in the pool and in the state file: it takes traffic again.
        int before = holding.requestCount();
        AdminFixture.await("the backend takes requests again", () -> {
            try {
                AdminFixture.traffic(daemon, "/x");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            return holding.requestCount() > before;
        });
        assertEquals(AdminState.ACTIVE, daemon.pools().pool("web").find(holding.address()).orElseThrow().adminState());
        assertFalse(Files.readString(AdminFixture.stateFile(dir)).contains("removed"));
    }

    @Test
    void reloadAnswers422WithEveryErrorAndStatusShowsIt() throws Exception {
        Files.writeString(conf, Files.readString(conf).replace("pools {", "pols {"));
        HttpResponse<String> r = api.post("/api/v1/reload", null);
        assertEquals(422, r.statusCode(), r.body());
        JsonNode body = AdminClient.parse(r.body());
        assertEquals("invalid config", body.get("error").asText());
        assertTrue(body.get("errors").size() >= 1);
        assertTrue(body.get("errors").get(0).asText().contains("fulcrum.conf:"), body.toString());
        JsonNode last = api.json("/api/v1/status").get("lastReload");
        assertEquals("failed", last.get("result").asText());
        assertEquals(body.get("errors"), last.get("errors"));
        assertEquals(1, api.json("/api/v1/status").get("configGeneration").asLong());
    }

    @Test
    void reloadOfAValidConfigAnswers200WithTheNewGeneration() {
        HttpResponse<String> r = api.post("/api/v1/reload", null);
        assertEquals(200, r.statusCode(), r.body());
        long generation = AdminClient.parse(r.body()).get("generation").asLong();
        assertTrue(generation >= 2, r.body());
        JsonNode status = api.json("/api/v1/status");
        assertEquals("ok", status.get("lastReload").get("result").asText());
        assertEquals(generation, status.get("configGeneration").asLong());
        assertTrue(status.get("lastReload").get("error").isNull());
    }
}
