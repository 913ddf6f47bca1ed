package io.fulcrum.proxy.accesslog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fulcrum.proxy.config.AccessLogConfig;
import io.fulcrum.proxy.config.FulcrumConfig;
import io.fulcrum.proxy.config.RouteConfig;
import io.fulcrum.proxy.daemon.Daemon;
import io.fulcrum.proxy.testing.RawHttp;
import io.fulcrum.proxy.testing.TestBackend;
import io.fulcrum.proxy.testing.TestConfigs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The access log (SPEC section 3, access-log) written by the real daemon. */
class AccessLogTest {

    @TempDir
    Path dir;
    private TestBackend backend;
    private Daemon daemon;

    @BeforeEach
    void setUp() {
        backend = new TestBackend("a");
    }

    @AfterEach
    void tearDown() {
        if (daemon != null) {
            daemon.close();
        }
        backend.close();
    }

    private void start(String format) {
        FulcrumConfig c = TestConfigs.config(List.of(new RouteConfig(Optional.empty(), "/app/", "web")),
                List.of(TestConfigs.pool("web", "round-robin", List.of(backend.address()), 0)),
                TestConfigs.defaultLimits(), TestConfigs.defaultTimeouts());
        daemon = Daemon.start(new FulcrumConfig(c.source(), c.listeners(), c.pools(), c.admin(), c.threads(),
                c.timeouts(), c.limits(), new AccessLogConfig(dir.resolve("access.log").toString(), format)));
    }

    private List<String> awaitLines(int n) throws Exception {
        Path file = dir.resolve("access.log");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)) {
                List<String> lines = Files.readAllLines(file);
                if (lines.size() >= n) {
                    return lines;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("access log has fewer than " + n + " lines");
    }

    @Test
    void jsonLinesNameEveryField() throws Exception {
        start("json");
        try (RawHttp raw = new RawHttp(daemon.listenerAddress("web"))) {
            raw.send("GET /app/x?q=1 HTTP/1.1\r\nHost: shop\r\nUser-Agent: tester\r\nX-Request-Id: r-1\r\n\r\n").readResponse();
            raw.send("GET /nowhere HTTP/1.1\r\nHost: shop\r\n\r\n").readResponse();
            raw.send("GET /app/z HTTP/1.1\r\nHost: shop\r\n\r\n").readResponse();
        }
        List<String> lines = awaitLines(3);
        ObjectMapper json = new ObjectMapper();
        JsonNode ok = json.readTree(lines.get(0));
        assertEquals("web", ok.get("listener").asText());
        assertEquals("127.0.0.1", ok.get("client").asText());
        assertEquals("GET", ok.get("method").asText());
        assertEquals("/app/x?q=1", ok.get("uri").asText());
        assertEquals("HTTP/1.1", ok.get("protocol").asText());
        assertEquals(200, ok.get("status").asInt());
        assertEquals("web", ok.get("pool").asText());
        assertEquals(backend.address(), ok.get("backend").asText());
        assertEquals("r-1", ok.get("request_id").asText());
        assertEquals("tester", ok.get("user_agent").asText());
        assertTrue(ok.get("duration_ms").asDouble() >= 0);
        JsonNode notFound = json.readTree(lines.get(1));
        assertEquals(404, notFound.get("status").asInt());
        assertTrue(notFound.get("pool").isNull());
        assertTrue(notFound.get("backend").isNull());
        String added = backend.requests().get(1).header("x-request-id");
        assertTrue(added.matches("[0-9a-f]{32}"), added);
        assertEquals(added, json.readTree(lines.get(2)).get("request_id").asText(),
                "the id Fulcrum added is the one logged");
    }

    @Test
    void combinedLinesReadLikeNginxs() throws Exception {
        start("combined");
        try (RawHttp raw = new RawHttp(daemon.listenerAddress("web"))) {
            raw.send("GET /app/y HTTP/1.1\r\nHost: shop\r\nUser-Agent: curl/8\r\nReferer: http://r/\r\n\r\n").readResponse();
        }
        String line = awaitLines(1).get(0);
        assertTrue(line.matches("127\\.0\\.0\\.1 - - \\[\\d\\d/\\w{3}/\\d{4}:\\d\\d:\\d\\d:\\d\\d \\+0000] "
                + "\"GET /app/y HTTP/1\\.1\" 200 - \"http://r/\" \"curl/8\""), line);
    }
}
