package io.fulcrum.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fulcrum.proxy.config.FulcrumConfig;
import io.fulcrum.proxy.config.LimitsConfig;
import io.fulcrum.proxy.config.PoolConfig;
import io.fulcrum.proxy.config.RouteConfig;
import io.fulcrum.proxy.config.TimeoutsConfig;
import io.fulcrum.proxy.daemon.Daemon;
import io.fulcrum.proxy.testing.RawHttp;
import io.fulcrum.proxy.testing.TestBackend;
import io.fulcrum.proxy.testing.TestConfigs;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Fulcrum's own answers (SPEC section 6) on real sockets: each status, its body, and that a malformed
 * request never reaches the backend.
 */
class ErrorAnswersTest {

    private TestBackend backend;
    private Daemon daemon;
    private InetSocketAddress proxy;

    @BeforeEach
    void setUp() {
        backend = new TestBackend("a");
        PoolConfig slowPool = withResponseTimeout(TestConfigs.pool("slow", "round-robin", List.of(backend.address()), 0),
                Duration.ofMillis(300));
        FulcrumConfig config = TestConfigs.config(List.of(
                        new RouteConfig(Optional.empty(), "/empty/", "empty"),
                        new RouteConfig(Optional.empty(), "/dead/", "dead"),
                        new RouteConfig(Optional.empty(), "/slow/", "slow"),
                        new RouteConfig(Optional.empty(), "/", "web")),
                List.of(TestConfigs.pool("web", "round-robin", List.of(backend.address()), 0),
                        TestConfigs.pool("empty", "round-robin", List.of(), 0),
                        TestConfigs.pool("dead", "round-robin", List.of("127.0.0.1:1"), 0),
                        slowPool),
                new LimitsConfig(1024, 10000, 1000, 100),
                new TimeoutsConfig(Duration.ofMillis(300), Duration.ofSeconds(60), Duration.ofSeconds(5)));
        daemon = Daemon.start(config);
        proxy = daemon.listenerAddress("web");
    }

    private static PoolConfig withResponseTimeout(PoolConfig p, Duration timeout) {
        return new PoolConfig(p.name(), p.strategy(), p.hashKey(), p.backends(), p.health(), p.outlier(), p.slowStart(),
                p.connectTimeout(), timeout, p.retries(), p.maxConnectionsPerBackend(), p.queueTimeout(), p.maxQueue(),
                p.retryBufferBytes());
    }

    @AfterEach
    void tearDown() {
        daemon.close();
        backend.close();
    }

    private String exchange(String request) throws Exception {
        try (RawHttp raw = new RawHttp(proxy)) {
            return raw.send(request).readResponse();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // Both framings: the classic smuggling vector.
        "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        // A transfer coding other than a lone chunked.
        "POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
        "POST /x HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        // Two different lengths, and a length that is not a number.
        "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
        "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 3x\r\n\r\nabc",
        // No Host in HTTP/1.1; two Hosts; a request line that is not one; a bad target.
        "GET /x HTTP/1.1\r\n\r\n",
        "GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "GARBAGE\r\n\r\n",
        "GET x HTTP/1.1\r\nHost: h\r\n\r\n",
        // A header line without a colon.
        "GET /x HTTP/1.1\r\nHost: h\r\nBroken header\r\n\r\n",
    })
    void malformedRequestsGet400AndNeverReachTheBackend(String request) throws Exception {
        String answer = exchange(request);
        assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
        assertTrue(answer.endsWith("bad request\n"), answer);
        assertEquals(0, backend.requestCount());
    }

    @Test
    void refusedBodyStillGetsItsAnswerWhileTheClientKeepsSending() throws Exception {
        // 200 KB sent after a head announcing them, over a 1000-byte limit: the client is mid-write when
        // Fulcrum answers 413; the lingering close drains the rest so the answer is not lost to a reset.
        String answer = exchange("POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 200000\r\n\r\n" + "x".repeat(200_000));
        assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
        assertEquals(0, backend.requestCount());
    }

    @Test
    void noBackendIs503WithRetryAfter() throws Exception {
        String answer = exchange("GET /empty/x HTTP/1.1\r\nHost: h\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 503"), answer);
        assertTrue(answer.toLowerCase().contains("retry-after: 1"), answer);
        assertTrue(answer.endsWith("no backend available\n"), answer);
    }

    @Test
    void aRequestWithoutBodyAnsweredByFulcrumKeepsItsConnection() throws Exception {
        // Nothing of the request is left unread, so nothing forces the connection to end: the next
        // request on it is served (and a refused connection or a missing route answered alike).
        try (RawHttp raw = new RawHttp(proxy)) {
            String noBackend = raw.send("GET /empty/x HTTP/1.1\r\nHost: h\r\n\r\n").readResponse();
            assertTrue(noBackend.startsWith("HTTP/1.1 503"), noBackend);
            assertFalse(noBackend.toLowerCase().contains("connection: close"), noBackend);
            String refused = raw.send("GET /dead/x HTTP/1.1\r\nHost: h\r\n\r\n").readResponse();
            assertTrue(refused.startsWith("HTTP/1.1 502"), refused);
            String served = raw.send("GET /x HTTP/1.1\r\nHost: h\r\n\r\n").readResponse();
            assertTrue(served.startsWith("HTTP/1.1 200"), served);
        }
        assertEquals(1, backend.requestCount());
    }

    @Test
    void refusedConnectionIs502() throws Exception {
        String answer = exchange("GET /dead/x HTTP/1.1\r\nHost: h\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 502"), answer);
        assertTrue(answer.endsWith("backend failed\n"), answer);
    }

    @Test
    void resetBeforeAnyResponseByteIs502() throws Exception {
        String answer = exchange("GET /reset HTTP/1.1\r\nHost: h\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 502"), answer);
    }

    @Test
    void slowBackendIs504AfterResponseTimeout() throws Exception {
        String answer = exchange("GET /slow/3000 HTTP/1.1\r\nHost: h\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 504"), answer);
        assertTrue(answer.endsWith("backend timed out\n"), answer);
    }

    @Test
    void slowClientHeadersAre408() throws Exception {
        try (RawHttp raw = new RawHttp(proxy)) {
            String answer = raw.send("GET /x HTTP/1.1\r\nHost: h\r\n").readResponse();
            assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
            assertTrue(raw.isClosedByPeer());
        }
        assertEquals(0, backend.requestCount());
    }

    @Test
    void limitsGive413And414And431() throws Exception {
        String big = exchange("POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5000\r\n\r\n");
        assertTrue(big.startsWith("HTTP/1.1 413"), big);
        String chunked = exchange("POST /upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3e8\r\n" + "x".repeat(1000) + "\r\n3e8\r\n" + "x".repeat(1000) + "\r\n0\r\n\r\n");
        assertTrue(chunked.startsWith("HTTP/1.1 413"), chunked);
        String uri = exchange("GET /" + "u".repeat(200) + " HTTP/1.1\r\nHost: h\r\n\r\n");
        assertTrue(uri.startsWith("HTTP/1.1 414"), uri);
        String headers = exchange("GET /x HTTP/1.1\r\nHost: h\r\nX-Big: " + "v".repeat(2000) + "\r\n\r\n");
        assertTrue(headers.startsWith("HTTP/1.1 431"), headers);
        String expect = exchange("POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nExpect: something-else\r\n\r\nx");
        assertTrue(expect.startsWith("HTTP/1.1 417"), expect);
    }
}
