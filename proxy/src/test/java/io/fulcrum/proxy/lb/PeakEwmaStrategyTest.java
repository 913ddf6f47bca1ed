package io.fulcrum.proxy.lb;

import static io.fulcrum.proxy.lb.TestPools.ALL;
import static io.fulcrum.proxy.lb.TestPools.counts;
import static io.fulcrum.proxy.lb.TestPools.pool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fulcrum.proxy.backend.Backend;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PeakEwmaStrategyTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private final AtomicLong now = new AtomicLong(TimeUnit.HOURS.toNanos(1));

    private Selector selector(List<Backend> pool, long seed) {
        return new PeakEwmaStrategy(RandomSource.seeded(seed), now::get, PeakEwmaStrategy.DEFAULT_RTT_NANOS)
                .build(pool);
    }

    /** One request that took {@code latency}, ended at the fake now. */
    private void answered(Backend b, long latency) {
        b.stats().requestStarted();
        b.stats().requestEnded(latency, false, now.get());
    }

    @Test
    void steersAwayFromASlowBackend() {
        List<Backend> p = pool(1, 1, 1);
        answered(p.get(0), 5 * MS);
        answered(p.get(1), 5 * MS);
        answered(p.get(2), 50 * MS);
        int[] counts = counts(p, selector(p, 42), 30_000);
        // Idle, c costs 50 ms against 5 ms: it loses every pair it is drawn in, a and b share.
        assertEquals(0, counts[2]);
        assertEquals(15_000, counts[0], 600);
    }

    @Test
    void slowBackendWinsOnlyWhenTheFastOnesAreBusyEnough() {
        List<Backend> p = pool(1, 1);
        answered(p.get(0), 5 * MS);
        answered(p.get(1), 50 * MS);
        Selector selector = selector(p, 1);
        // Requests that stay in flight: a costs 5·(k+1), b 50·(j+1). a takes them until 5·(k+1)
        // exceeds 50, i.e. 10 in flight; then b takes one, and so on at ~10:1.
        for (int i = 0; i < 110; i++) {
            selector.select(0, ALL).stats().requestStarted();
        }
        assertEquals(100, p.get(0).stats().inFlight(), 2);
        assertEquals(10, p.get(1).stats().inFlight(), 2);
    }

    @Test
    void aSlowBackendIsTriedAgainAsItsEstimateDecays() {
        List<Backend> p = pool(1, 1);
        answered(p.get(0), 5 * MS);
        answered(p.get(1), 50 * MS);
        Selector selector = selector(p, 3);
        assertEquals(p.get(0), selector.select(0, ALL));
        // 60 s later (6 τ) a answered again in 5 ms, b was never picked: 50 ms·e^-6 = 0.12 ms < 5 ms.
        now.addAndGet(TimeUnit.SECONDS.toNanos(60));
        answered(p.get(0), 5 * MS);
        assertEquals(p.get(1), selector.select(0, ALL));
    }

    @Test
    void newBackendIsCostedAtTheDefaultRtt() {
        List<Backend> p = pool(1, 1);
        answered(p.get(0), 40 * MS);
        // b has no sample: it costs 30 ms (linkerd's default), not 0 — cheaper than a, not free.
        Selector selector = selector(p, 5);
        for (int i = 0; i < 10; i++) {
            selector.select(0, ALL).stats().requestStarted();
        }
        // Each goes to the lower of 40·(a+1) and 30·(b+1): after 10 they sit near a 4, b 6.
        assertTrue(p.get(1).stats().inFlight() >= 5 && p.get(0).stats().inFlight() >= 3,
                "a=" + p.get(0).stats().inFlight() + " b=" + p.get(1).stats().inFlight());
    }
}
