package io.fulcrum.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fulcrum.proxy.config.FulcrumConfig;
import io.fulcrum.proxy.config.RouteConfig;
import io.fulcrum.proxy.daemon.Daemon;
import io.fulcrum.proxy.testing.RawHttp;
import io.fulcrum.proxy.testing.TestBackend;
import io.fulcrum.proxy.testing.TestConfigs;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy's forwarding on real sockets: routing, balancing, headers, keep-alive, framing. */
class ForwardingTest {

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private TestBackend a;
    private TestBackend b;
    private TestBackend c;
    private Daemon daemon;

    @BeforeEach
    void setUp() {
        a = new TestBackend("a");
        b = new TestBackend("b");
        c = new TestBackend("c");
    }

    @AfterEach
    void tearDown() {
        if (daemon != null) {
            daemon.close();
        }
        a.close();
        b.close();
        c.close();
    }

    private InetSocketAddress start(FulcrumConfig config) {
        daemon = Daemon.start(config);
        return daemon.listenerAddress("web");
    }

    private HttpResponse<String> get(InetSocketAddress proxy, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.getPort() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void roundRobinSpreadsRequestsEvenly() throws Exception {
        InetSocketAddress proxy = start(TestConfigs.simple(List.of(a.address(), b.address(), c.address()), 0));
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 30; i++) {
            HttpResponse<String> r = get(proxy, "/hello");
            assertEquals(200, r.statusCode());
            counts.merge(r.body(), 1, Integer::sum);
        }
        // Round-robin over three equal backends: exactly a third each.
        assertEquals(Map.of("a", 10, "b", 10, "c", 10), counts);
    }

    @Test
    void keepAliveRequestsReuseBackendConnections() throws Exception {
        InetSocketAddress proxy = start(TestConfigs.simple(List.of(a.address()), 0));
        for (int i = 0; i < 100; i++) {
            assertEquals(200, get(proxy, "/x").statusCode());
        }
        assertEquals(100, a.requestCount());
        // Sequential requests find the previous connection idle in the pool: one (or two) at most.
        assertTrue(a.connectionsAccepted() <= 2, "backend connections: " + a.connectionsAccepted());
    }

    @Test
    void addsForwardingHeadersAndStripsHopByHopOnes() throws Exception {
        InetSocketAddress proxy = start(TestConfigs.simple(List.of(a.address()), 0));
        try (RawHttp raw = new RawHttp(proxy)) {
            String answer = raw.send("GET /h HTTP/1.1\r\nHost: shop.example:8080\r\nConnection: keep-alive, X-Secret\r\n"
                    + "X-Secret: 1\r\nProxy-Connection: keep-alive\r\nKeep-Alive: 5\r\nTE: trailers\r\n"
                    + "X-Forwarded-For: 10.1.1.1\r\n\r\n").readResponse();
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
            assertFalse(answer.toLowerCase().contains("keep-alive: timeout"), "backend's Keep-Alive must not reach the client");
            raw.send("GET /h2 HTTP/1.1\r\nHost: shop.example\r\nX-Request-Id: abc-123\r\n\r\n").readResponse();
            raw.send("GET /h3 HTTP/1.1\r\nHost: shop.example\r\n\r\n").readResponse();
        }
        TestBackend.Seen first = a.requests().get(0);
        assertEquals("10.1.1.1, 127.0.0.1", first.header("x-forwarded-for"));
        assertEquals("http", first.header("x-forwarded-proto"));
        assertEquals("shop.example:8080", first.header("x-forwarded-host"));
        assertEquals("shop.example:8080", first.header("host"));
        assertEquals("for=127.0.0.1;proto=http;host=\"shop.example:8080\"", first.header("forwarded"));
        assertTrue(first.header("x-request-id").matches("[0-9a-f]{32}"), first.header("x-request-id"));
        assertNull(first.header("x-secret"));
        assertNull(first.header("proxy-connection"));
        assertNull(first.header("keep-alive"));
        assertNull(first.header("te"));
        assertEquals("abc-123", a.requests().get(1).header("x-request-id"));
        String third = a.requests().get(2).header("x-request-id");
        assertTrue(third.matches("[0-9a-f]{32}"), third);
        assertNotEquals(first.header("x-request-id"), third, "a new id for every request on the connection");
    }

    @Test
    void routesByHostAndPathPrefixFirstMatchWins() throws Exception {
        FulcrumConfig config = TestConfigs.config(List.of(
                        new RouteConfig(Optional.of("api.example.com"), "/v1/", "api"),
                        new RouteConfig(Optional.empty(), "/static/", "web"),
                        new RouteConfig(Optional.of("admin.example.com"), "/", "api")),
                List.of(TestConfigs.pool("api", "round-robin", List.of(a.address()), 0),
                        TestConfigs.pool("web", "round-robin", List.of(b.address()), 0)),
                TestConfigs.defaultLimits(), TestConfigs.defaultTimeouts());
        InetSocketAddress proxy = start(config);
        try (RawHttp raw = new RawHttp(proxy)) {
            assertTrue(raw.send("GET /v1/users HTTP/1.1\r\nHost: API.example.com:80\r\n\r\n").readResponse().endsWith("a"));
            assertTrue(raw.send("GET /static/x.css HTTP/1.1\r\nHost: api.example.com\r\n\r\n").readResponse().endsWith("b"));
            assertTrue(raw.send("GET http://admin.example.com/x HTTP/1.1\r\nHost: other\r\n\r\n").readResponse().endsWith("a"));
            String notFound = raw.send("GET /v2/users HTTP/1.1\r\nHost: api.example.com\r\n\r\n").readResponse();
            assertTrue(notFound.startsWith("HTTP/1.1 404"), notFound);
            assertTrue(notFound.endsWith("no route matches this request\n"), notFound);
            // A 404 for a request without a body keeps the connection.
            assertTrue(raw.send("GET /v1/ok HTTP/1.1\r\nHost: api.example.com\r\n\r\n").readResponse().endsWith("a"));
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        InetSocketAddress proxy = start(TestConfigs.simple(List.of(a.address()), 0));
        try (RawHttp raw = new RawHttp(proxy)) {
            raw.send("GET /slow/200 HTTP/1.1\r\nHost: x\r\n\r\nGET /status/201 HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /status/202 HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(raw.readResponse().startsWith("HTTP/1.1 200"));
            assertTrue(raw.readResponse().startsWith("HTTP/1.1 201"));
            assertTrue(raw.readResponse().startsWith("HTTP/1.1 202"));
        }
    }

    @Test
    void pipelinedRequestsWithBodiesKeepEachBodyWithItsRequest() throws Exception {
        InetSocketAddress proxy = start(TestConfigs.simple(List.of(a.address()), 0));
        try (RawHttp raw = new RawHttp(proxy)) {
            // One write: heads and body pieces of three requests arrive in one read and wait, decoded,
            // until each is asked for; /upload answers with the length of the body it received.
            raw.send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n"
                    + "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
                    + "GET /status/204 HTTP/1.1\r\nHost: x\r\n\r\n");
            String first = raw.readResponse();
            assertTrue(first.startsWith("HTTP/1.1 200") && first.endsWith("\r\n\r\n7"), first);
            String second = raw.readResponse();
            assertTrue(second.startsWith("HTTP/1.1 200") && second.endsWith("\r\n\r\n5"), second);
            assertTrue(raw.readResponse().startsWith("HTTP/1.1 204"));
        }
    }

    @Test
    void expectContinueIsAnsweredBeforeTheBodyIsSent() throws Exception {
        InetSocketAddress proxy = start(TestConfigs.simple(List.of(a.address()), 0));
        try (RawHttp raw = new RawHttp(proxy)) {
            String interim = raw.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
                    .readHeadOnly();
            assertTrue(interim.startsWith("HTTP/1.1 100 Continue"), interim);
            String answer = raw.send("hello").readResponse();
            assertTrue(answer.startsWith("HTTP/1.1 200") && answer.endsWith("\r\n\r\n5"), answer);
        }
        assertNull(a.requests().get(0).header("expect"));
    }

    @Test
    void chunkedUploadsAndHeadRequestsKeepTheirFraming() throws Exception {
        InetSocketAddress proxy = start(TestConfigs.simple(List.of(a.address()), 0));
        try (RawHttp raw = new RawHttp(proxy)) {
            String answer = raw.send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n").readResponse();
            assertTrue(answer.endsWith("\r\n\r\n11"), answer);
            String head = raw.send("HEAD /x HTTP/1.1\r\nHost: x\r\n\r\n").readHeadOnly();
            assertTrue(head.startsWith("HTTP/1.1 200") && head.contains("content-length: 1"), head);
            // The HEAD answer carried no body: the next answer on the connection parses cleanly.
            assertTrue(raw.send("GET /status/204 HTTP/1.1\r\nHost: x\r\n\r\n").readResponse().startsWith("HTTP/1.1 204"));
        }
        assertEquals("chunked", a.requests().get(0).header("transfer-encoding"));
    }

    @Test
    void http10ClientsGetTheirConnectionClosed() throws Exception {
        InetSocketAddress proxy = start(TestConfigs.simple(List.of(a.address()), 0));
        try (RawHttp raw = new RawHttp(proxy)) {
            String answer = raw.send("GET /x HTTP/1.0\r\n\r\n").readResponse();
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
            assertTrue(answer.toLowerCase().contains("connection: close"), answer);
            assertTrue(raw.isClosedByPeer());
        }
        assertNotNull(a.requests().get(0));
    }
}
