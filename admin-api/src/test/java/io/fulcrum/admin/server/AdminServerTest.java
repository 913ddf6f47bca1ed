package io.fulcrum.admin.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.fulcrum.admin.BackendState;
import io.fulcrum.admin.ReloadResult;
import io.fulcrum.admin.state.StateStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every endpoint of SPEC section 7 with its status codes and JSON, on a real loopback socket. */
class AdminServerTest {

    private static final String TOKEN = "s3cret-token";
    private static final String B1 = "/api/v1/pools/web/backends/127.0.0.1:9001";

    @TempDir
    Path dir;

    private InMemoryAdminService service;
    private AdminServer server;
    private AdminHttp http;

    @BeforeEach
    void start() {
        service = new InMemoryAdminService(new StateStore(dir.resolve("state.json")));
        server = AdminServer.start(new InetSocketAddress("127.0.0.1", 0), Optional.of(TOKEN), service);
        http = new AdminHttp(server.localAddress(), TOKEN);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void healthzAnswersOk() {
        HttpResponse<String> r = http.send("GET", "/healthz", null, null);
        assertEquals(200, r.statusCode());
        assertEquals("ok\n", r.body());
        assertEquals(405, http.send("POST", "/healthz", "{}", null).statusCode());
        HttpResponse<String> head = http.send("HEAD", "/healthz", null, null);
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
    }

    @Test
    void statusShowsVersionUptimeGenerationAndLastReload() {
        HttpResponse<String> r = http.get("/api/v1/status");
        assertEquals(200, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("content-type").orElseThrow());
        JsonNode s = AdminHttp.json(r);
        assertEquals("0.1.0-test", s.get("version").asText());
        assertEquals(3725, s.get("uptimeSeconds").asLong());
        assertEquals(1, s.get("configGeneration").asLong());
        assertEquals("none", s.at("/lastReload/result").asText());
        assertTrue(s.at("/lastReload/at").isNull());
        assertTrue(s.at("/lastReload/error").isNull());

        service.nextReload(ReloadResult.rejected(List.of("fulcrum.conf:3: unknown key 'pols'")));
        assertEquals(422, http.send("POST", "/api/v1/reload", null).statusCode());
        JsonNode after = AdminHttp.json(http.get("/api/v1/status"));
        assertEquals("failed", after.at("/lastReload/result").asText());
        assertEquals("2026-01-02T03:04:05Z", after.at("/lastReload/at").asText());
        assertEquals("fulcrum.conf:3: unknown key 'pols'", after.at("/lastReload/error").asText());
        assertEquals("fulcrum.conf:3: unknown key 'pols'", after.at("/lastReload/errors/0").asText());
    }

    @Test
    void poolsListEveryPoolWithBackendsInTheSpecShape() {
        HttpResponse<String> r = http.get("/api/v1/pools");
        assertEquals(200, r.statusCode());
        JsonNode pools = AdminHttp.json(r).get("pools");
        assertEquals(2, pools.size());
        assertEquals("web", pools.get(0).get("name").asText());
        assertEquals("dynamic", pools.get(0).get("strategy").asText());
        assertEquals("api", pools.get(1).get("name").asText());
        assertEquals(0, pools.get(1).get("backends").size());

        JsonNode b = pools.get(0).get("backends").get(0);
        List<String> fields = new ArrayList<>();
        for (Iterator<String> it = b.fieldNames(); it.hasNext(); ) {
            fields.add(it.next());
        }
        assertEquals(List.of("id", "address", "weight", "effectiveWeight", "state", "health", "inFlight",
                "activeConnections", "requests", "failures", "load", "source"), fields);
        assertEquals("127.0.0.1:9001", b.get("id").asText());
        assertEquals("127.0.0.1:9001", b.get("address").asText());
        assertEquals(100, b.get("weight").asInt());
        assertEquals(50, b.get("effectiveWeight").asInt());
        assertEquals("active", b.get("state").asText());
        assertEquals("up", b.get("health").asText());
        assertEquals(0, b.get("inFlight").asInt());
        assertEquals(3, b.get("activeConnections").asInt());
        assertEquals(1000, b.get("requests").asLong());
        assertEquals(7, b.get("failures").asLong());
        assertEquals(0.42, b.at("/load/cpuUtilization").asDouble());
        assertEquals(17, b.at("/load/connections").asInt());
        assertEquals("2026-01-02T03:04:05Z", b.at("/load/reportedAt").asText());
        assertEquals("config", b.get("source").asText());
    }

    @Test
    void onePoolAndOneBackend() {
        JsonNode pool = AdminHttp.json(http.get("/api/v1/pools/web"));
        assertEquals("web", pool.get("name").asText());
        assertEquals(2, pool.get("backends").size());
        assertEquals(200, http.get("/api/v1/pools/web/").statusCode(), "a trailing slash is ignored");

        HttpResponse<String> one = http.get("/api/v1/pools/web/backends/127.0.0.1%3A9002");
        assertEquals(200, one.statusCode(), "percent-encoded ids are decoded");
        assertEquals(50, AdminHttp.json(one).get("weight").asInt());
    }

    @Test
    void unknownPoolOrBackendIs404WithErrorBody() {
        HttpResponse<String> r = http.get("/api/v1/pools/nope");
        assertEquals(404, r.statusCode());
        JsonNode e = AdminHttp.json(r);
        assertEquals("unknown pool", e.get("error").asText());
        assertEquals("no pool named 'nope'", e.get("detail").asText());

        assertEquals("unknown backend", AdminHttp.json(http.get("/api/v1/pools/web/backends/10.9.9.9:1")).get("error").asText());
        assertEquals(404, http.send("PATCH", "/api/v1/pools/web/backends/10.9.9.9:1", "{\"weight\":5}").statusCode());
        assertEquals(404, http.send("POST", "/api/v1/pools/web/backends/10.9.9.9:1/drain", null).statusCode());
        assertEquals(404, http.send("DELETE", "/api/v1/pools/web/backends/10.9.9.9:1", null).statusCode());
        assertEquals(404, http.send("POST", "/api/v1/pools/nope/backends", "{\"address\":\"10.0.0.4:8080\"}").statusCode());
    }

    @Test
    void addBackendAnswers201AndPersistsBeforeAnswering() throws IOException {
        HttpResponse<String> r = http.send("POST", "/api/v1/pools/web/backends", "{\"address\":\"10.0.0.4:8080\",\"weight\":30}");
        assertEquals(201, r.statusCode());
        assertEquals("/api/v1/pools/web/backends/10.0.0.4:8080", r.headers().firstValue("location").orElseThrow());
        JsonNode b = AdminHttp.json(r);
        assertEquals("10.0.0.4:8080", b.get("id").asText());
        assertEquals(30, b.get("weight").asInt());
        assertEquals("api", b.get("source").asText());
        assertEquals("unknown", b.get("health").asText());
        assertTrue(b.at("/load/cpuUtilization").isNull());
        assertTrue(Files.readString(dir.resolve("state.json")).contains("\"10.0.0.4:8080\""));

        HttpResponse<String> dflt = http.send("POST", "/api/v1/pools/api/backends", "{\"address\":\"[::1]:8080\"}");
        assertEquals(201, dflt.statusCode());
        assertEquals(100, AdminHttp.json(dflt).get("weight").asInt(), "weight defaults to 100");
    }

    @Test
    void addingAnExistingBackendIs409() {
        HttpResponse<String> r = http.send("POST", "/api/v1/pools/web/backends", "{\"address\":\"127.0.0.1:9001\"}");
        assertEquals(409, r.statusCode());
        assertEquals("backend exists", AdminHttp.json(r).get("error").asText());
    }

    @Test
    void badBodiesAre400() {
        String path = "/api/v1/pools/web/backends";
        for (String body : List.of("{not json", "[1,2]", "", "{\"weight\":10}", "{\"address\":8080}",
                "{\"address\":\"10.0.0.4:8080\",\"weight\":\"50\"}", "{\"address\":\"10.0.0.4:8080\",\"weight\":0}",
                "{\"address\":\"10.0.0.4:8080\",\"weight\":1001}", "{\"address\":\"10.0.0.4:8080\",\"weight\":1.5}",
                "{\"address\":\"10.0.0.4:8080\",\"wieght\":5}", "{\"address\":\"10.0.0.4\"}",
                "{\"address\":\"10.0.0.4:70000\"}", "{\"address\":\"::1:80\"}",
                "{\"address\":\"10.0.0.4:8080\",\"address\":\"10.0.0.5:8080\"}")) {
            HttpResponse<String> r = http.send("POST", path, body);
            assertEquals(400, r.statusCode(), body);
            assertEquals("bad request", AdminHttp.json(r).get("error").asText(), body);
            assertFalse(AdminHttp.json(r).get("detail").asText().isEmpty(), body);
        }
        for (String body : List.of("{}", "{\"state\":\"draining\"}", "{\"state\":\"paused\"}", "{\"state\":1}",
                "{\"weight\":-1}", "{\"weight\":null}", "nope")) {
            assertEquals(400, http.send("PATCH", B1, body).statusCode(), body);
        }
    }

    @Test
    void patchChangesWeightAndState() {
        HttpResponse<String> w = http.send("PATCH", B1, "{\"weight\":50}");
        assertEquals(200, w.statusCode());
        assertEquals(50, AdminHttp.json(w).get("weight").asInt());

        HttpResponse<String> d = http.send("PATCH", B1, "{\"state\":\"disabled\",\"weight\":60}");
        assertEquals(200, d.statusCode());
        assertEquals("disabled", AdminHttp.json(d).get("state").asText());
        assertEquals(60, AdminHttp.json(d).get("weight").asInt());

        HttpResponse<String> a = http.send("PATCH", B1, "{\"state\":\"active\"}");
        assertEquals("active", AdminHttp.json(a).get("state").asText());
    }

    @Test
    void drainWithoutWaitAnswers202AtOnce() {
        service.setInFlight("web", "127.0.0.1:9001", 3);
        HttpResponse<String> r = http.send("POST", B1 + "/drain", null);
        assertEquals(202, r.statusCode());
        assertEquals("draining", AdminHttp.json(r).get("state").asText());
        assertEquals(3, AdminHttp.json(r).get("inFlight").asInt());
    }

    @Test
    void drainWithWaitAnswers200OnceInFlightReachesZero() throws Exception {
        service.setInFlight("web", "127.0.0.1:9001", 2);
        CompletableFuture<HttpResponse<String>> answer =
                CompletableFuture.supplyAsync(() -> http.send("POST", B1 + "/drain?wait=30s", null));
        pollUntil(() -> service.stateOf("web", "127.0.0.1:9001").orElseThrow() == BackendState.DRAINING);
        assertFalse(answer.isDone(), "the answer waits for the drain");
        service.setInFlight("web", "127.0.0.1:9001", 0);
        HttpResponse<String> r = answer.get(10, TimeUnit.SECONDS);
        assertEquals(200, r.statusCode());
        assertEquals("drained", AdminHttp.json(r).get("state").asText());
    }

    @Test
    void drainOfAnIdleBackendWithWaitAnswers200AtOnce() {
        HttpResponse<String> r = http.send("POST", B1 + "/drain?wait=2m", null);
        assertEquals(200, r.statusCode());
        assertEquals("drained", AdminHttp.json(r).get("state").asText());
    }

    @Test
    void drainWaitRunningOutIs408AndTheDrainGoesOn() {
        service.setInFlight("web", "127.0.0.1:9001", 1);
        HttpResponse<String> r = http.send("POST", B1 + "/drain?wait=150ms", null);
        assertEquals(408, r.statusCode());
        assertEquals("drain timeout", AdminHttp.json(r).get("error").asText());
        assertEquals(BackendState.DRAINING, service.stateOf("web", "127.0.0.1:9001").orElseThrow());
    }

    @Test
    void drainEndedByReEnableAnswersTheRefusal() throws Exception {
        service.setInFlight("web", "127.0.0.1:9001", 1);
        CompletableFuture<HttpResponse<String>> answer =
                CompletableFuture.supplyAsync(() -> http.send("POST", B1 + "/drain?wait=30s", null));
        pollUntil(() -> service.stateOf("web", "127.0.0.1:9001").orElseThrow() == BackendState.DRAINING);
        assertEquals(200, http.send("PATCH", B1, "{\"state\":\"active\"}").statusCode());
        HttpResponse<String> r = answer.get(10, TimeUnit.SECONDS);
        assertEquals(409, r.statusCode());
        assertEquals("drain cancelled", AdminHttp.json(r).get("error").asText());
    }

    @Test
    void badWaitOrUnknownParameterIs400() {
        assertEquals(400, http.send("POST", B1 + "/drain?wait=soon", null).statusCode());
        assertEquals(400, http.send("POST", B1 + "/drain?wait=30y", null).statusCode());
        assertEquals(400, http.send("POST", B1 + "/drain?wiat=30s", null).statusCode());
        assertEquals(400, http.send("DELETE", B1 + "?force=maybe", null).statusCode());
        assertEquals(400, http.get("/api/v1/status?verbose=1").statusCode());
        assertEquals(BackendState.ACTIVE, service.stateOf("web", "127.0.0.1:9001").orElseThrow(),
                "a refused request changes nothing");
    }

    @Test
    void deleteDrainsThenRemovesWith202() {
        service.setInFlight("web", "127.0.0.1:9001", 1);
        HttpResponse<String> r = http.send("DELETE", B1, null);
        assertEquals(202, r.statusCode());
        assertEquals("draining", AdminHttp.json(r).get("state").asText());
        assertEquals(200, http.get(B1).statusCode(), "still there while draining");
        service.setInFlight("web", "127.0.0.1:9001", 0);
        assertEquals(404, http.get(B1).statusCode());
    }

    @Test
    void deleteWithForceRemovesAtOnceWith200() {
        service.setInFlight("web", "127.0.0.1:9001", 5);
        assertEquals(200, http.send("DELETE", B1 + "?force=true", null).statusCode());
        assertEquals(404, http.get(B1).statusCode());
        assertEquals(200, http.send("DELETE", "/api/v1/pools/web/backends/127.0.0.1:9002?force", null).statusCode());
    }

    @Test
    void reloadAnswersGenerationOr422WithErrors() {
        HttpResponse<String> ok = http.send("POST", "/api/v1/reload", null);
        assertEquals(200, ok.statusCode());
        assertEquals(2, AdminHttp.json(ok).get("generation").asLong());

        service.nextReload(ReloadResult.rejected(List.of("a.conf:1: bad", "a.conf:2: worse")));
        HttpResponse<String> bad = http.send("POST", "/api/v1/reload", null);
        assertEquals(422, bad.statusCode());
        JsonNode e = AdminHttp.json(bad);
        assertEquals("invalid config", e.get("error").asText());
        assertTrue(e.get("detail").asText().contains("a.conf:1: bad"));
        assertEquals(2, e.get("errors").size());
        assertEquals("a.conf:2: worse", e.get("errors").get(1).asText());
    }

    @Test
    void metricsServeThePrometheusText() {
        HttpResponse<String> r = http.get("/metrics");
        assertEquals(200, r.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("content-type").orElseThrow());
        assertTrue(r.body().contains("fulcrum_backend_up{pool=\"web\",backend=\"127.0.0.1:9001\"} 1.0"));
    }

    @Test
    void unknownPathIs404AndWrongMethodIs405WithAllow() {
        HttpResponse<String> nf = http.get("/api/v2/pools");
        assertEquals(404, nf.statusCode());
        assertEquals("not found", AdminHttp.json(nf).get("error").asText());
        assertEquals(404, http.get("/api/v1/pools/web/backends/x:1/undrain").statusCode());
        assertEquals(404, http.get("/api/v1//pools").statusCode());

        HttpResponse<String> na = http.send("DELETE", "/api/v1/status", null);
        assertEquals(405, na.statusCode());
        assertEquals("GET", na.headers().firstValue("allow").orElseThrow());
        assertEquals("method not allowed", AdminHttp.json(na).get("error").asText());
        assertEquals("GET, PATCH, DELETE", http.send("POST", B1, "{}").headers().firstValue("allow").orElseThrow());
        assertEquals("POST", http.get("/api/v1/reload").headers().firstValue("allow").orElseThrow());
        assertEquals("POST", http.get(B1 + "/drain").headers().firstValue("allow").orElseThrow());
    }

    @Test
    void bodyOverOneMebibyteIs413() {
        String big = "{\"address\":\"" + "a".repeat(AdminServer.MAX_BODY_BYTES) + ":80\"}";
        HttpResponse<String> r = http.send("POST", "/api/v1/pools/web/backends", big);
        assertEquals(413, r.statusCode());
        assertEquals("payload too large", AdminHttp.json(r).get("error").asText());
    }

    @Test
    void bodyOverOneMebibyteAnnouncedWithExpectContinueIs413WithoutReadingIt() throws IOException {
        String request = "POST /api/v1/pools/web/backends HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN
                + "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 2000000\r\n\r\n";
        try (Socket s = new Socket("127.0.0.1", server.localAddress().getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(all.startsWith("HTTP/1.1 413 "), all);
            assertTrue(all.contains("\"error\":\"payload too large\""), all);
        }
    }

    @Test
    void serviceRunsOnTheAdminWorkerNeverOnTheEventLoop() {
        http.get("/api/v1/status");
        http.send("PATCH", B1, "{\"weight\":5}");
        http.get("/metrics");
        assertEquals(java.util.Set.of(AdminServer.WORKER_THREAD), service.callerThreads);
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws IOException {
        String auth = "Authorization: Bearer " + TOKEN + "\r\n";
        String requests = "PATCH " + B1 + " HTTP/1.1\r\nHost: x\r\n" + auth + "Content-Length: 14\r\n\r\n{\"weight\":77}\n"
                + "GET " + B1 + " HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n"
                + "GET /nope HTTP/1.1\r\nHost: x\r\n" + auth + "Connection: close\r\n\r\n";
        try (Socket s = new Socket("127.0.0.1", server.localAddress().getPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(requests.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int first = all.indexOf("HTTP/1.1 200");
            int second = all.indexOf("HTTP/1.1 200", first + 1);
            int third = all.indexOf("HTTP/1.1 404");
            assertTrue(first >= 0 && second > first && third > second, all);
            assertTrue(all.substring(second, third).contains("\"weight\":77"), "the GET sees the PATCH before it: " + all);
        }
    }

    private static void pollUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10s");
            }
            Thread.sleep(5);
        }
    }
}
