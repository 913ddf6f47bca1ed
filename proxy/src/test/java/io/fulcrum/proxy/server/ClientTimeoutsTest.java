package io.fulcrum.proxy.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fulcrum.proxy.config.FulcrumConfig;
import io.fulcrum.proxy.config.TimeoutsConfig;
import io.fulcrum.proxy.daemon.Daemon;
import io.fulcrum.proxy.testing.RawHttp;
import io.fulcrum.proxy.testing.TestBackend;
import io.fulcrum.proxy.testing.TestConfigs;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** client-idle and client-header (SPEC section 3 timeouts), kept by each event loop's TimeoutSweep. */
class ClientTimeoutsTest {

    private TestBackend backend;
    private Daemon daemon;

    @BeforeEach
    void setUp() {
        backend = new TestBackend("a");
        FulcrumConfig c = TestConfigs.simple(List.of(backend.address()), 0);
        daemon = Daemon.start(new FulcrumConfig(c.source(), c.listeners(), c.pools(), c.admin(), c.threads(),
                new TimeoutsConfig(Duration.ofMillis(400), Duration.ofMillis(300), Duration.ofSeconds(5)),
                c.limits(), c.accessLog()));
    }

    @AfterEach
    void tearDown() {
        daemon.close();
        backend.close();
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAfterClientIdle() throws Exception {
        assertAnsweredThenClosedAfterClientIdle();
    }

    /** One request on a new connection, answered; then the connection idles and Fulcrum closes it after client-idle. */
    private void assertAnsweredThenClosedAfterClientIdle() throws Exception {
        try (RawHttp raw = new RawHttp(daemon.listenerAddress("web"))) {
            assertTrue(raw.send("GET /x HTTP/1.1\r\nHost: h\r\n\r\n").readResponse().startsWith("HTTP/1.1 200"));
            long start = System.nanoTime();
            assertTrue(raw.isClosedByPeer());
            long waited = (System.nanoTime() - start) / 1_000_000;
            assertTrue(waited >= 250 && waited < 5000, "closed after " + waited + " ms");
        }
    }

    @Test
    void everyIdleConnectionOnTheLoopIsClosedWhenOthersCloseFirst() throws Exception {
        // Several connections share the loop's sweep list; one leaving it (closed by its client) must
        // not unlink its neighbours.
        RawHttp[] raws = new RawHttp[4];
        try {
            for (int i = 0; i < raws.length; i++) {
                raws[i] = new RawHttp(daemon.listenerAddress("web"));
                assertTrue(raws[i].send("GET /x HTTP/1.1\r\nHost: h\r\n\r\n").readResponse().startsWith("HTTP/1.1 200"));
            }
            raws[1].close();
            raws[3].close();
            assertTrue(raws[0].isClosedByPeer());
            assertTrue(raws[2].isClosedByPeer());
        } finally {
            for (RawHttp raw : raws) {
                if (raw != null) {
                    raw.close();
                }
            }
        }
    }

    @Test
    void aConnectionAfterTheLoopWentQuietIsStillWatched() throws Exception {
        // The sweep's list empties when the last connection goes; the next one must be swept all the same.
        try (RawHttp first = new RawHttp(daemon.listenerAddress("web"))) {
            assertTrue(first.send("GET /x HTTP/1.1\r\nHost: h\r\n\r\n").readResponse().startsWith("HTTP/1.1 200"));
            assertTrue(first.isClosedByPeer());
        }
        Thread.sleep(2 * TimeoutSweep.PERIOD_MILLIS);
        assertAnsweredThenClosedAfterClientIdle();
    }

    @Test
    void aRequestWaitingForItsBackendIsNotIdle() throws Exception {
        try (RawHttp raw = new RawHttp(daemon.listenerAddress("web"))) {
            // The backend takes longer than client-idle: response-timeout governs, not client-idle.
            String answer = raw.send("GET /slow/900 HTTP/1.1\r\nHost: h\r\n\r\n").readResponse();
            assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
            // Busy connections stay open: a second request right after is served on the same socket.
            assertTrue(raw.send("GET /x HTTP/1.1\r\nHost: h\r\n\r\n").readResponse().startsWith("HTTP/1.1 200"));
        }
    }

    @Test
    void aHeadTrickledInTooSlowlyGets408EvenWhileBytesKeepComing() throws Exception {
        try (RawHttp raw = new RawHttp(daemon.listenerAddress("web"))) {
            raw.send("GET /x HTTP/1.1\r\n");
            // Bytes every 100 ms keep the connection from being idle, but the head never completes.
            for (int i = 0; i < 3; i++) {
                Thread.sleep(100);
                raw.send("X-Slow-" + i + ": 1\r\n");
            }
            String answer = raw.readResponse();
            assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
        }
    }
}
