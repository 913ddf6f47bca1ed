package io.fulcrum.proxy.daemon;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fulcrum.proxy.testing.RawHttp;
import io.fulcrum.proxy.testing.TestBackend;
import io.fulcrum.proxy.testing.TestConfigs;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The full collection the daemon process runs before its listeners are bound ({@link StartupHeap}). */
class StartupHeapTest {

    @Test
    void settleCollects() {
        long before = StartupHeap.collections();
        StartupHeap.settle();
        assertTrue(StartupHeap.collections() > before, "System.gc() ran no collection (is -XX:+DisableExplicitGC set?)");
    }

    @Test
    void aDaemonStartedToSettleItsHeapCollectsAndServes() throws Exception {
        try (TestBackend backend = new TestBackend("a")) {
            long before = StartupHeap.collections();
            try (Daemon daemon = Daemon.start(TestConfigs.simple(List.of(backend.address()), 0), true)) {
                assertTrue(StartupHeap.collections() > before, "no collection during the start");
                try (RawHttp client = new RawHttp(daemon.listenerAddress("web"))) {
                    String answer = client.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n").readResponse();
                    assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
                }
            }
        }
    }
}
