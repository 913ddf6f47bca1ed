package io.fulcrum.proxy.lb;

import static io.fulcrum.proxy.lb.TestPools.ALL;
import static io.fulcrum.proxy.lb.TestPools.counts;
import static io.fulcrum.proxy.lb.TestPools.hold;
import static io.fulcrum.proxy.lb.TestPools.pool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fulcrum.proxy.backend.Backend;
import java.util.List;
import org.junit.jupiter.api.Test;

class PowerOfTwoStrategyTest {

    @Test
    void idleEqualBackendsShareEvenly() {
        List<Backend> p = pool(1, 1, 1);
        int[] counts = counts(p, new PowerOfTwoStrategy(RandomSource.seeded(42)).build(p), 30_000);
        // Ties keep the first draw, which is uniform: 1/3 each, ±1 % of picks (σ ≈ 0.27 %).
        for (int c : counts) {
            assertEquals(10_000, c, 300);
        }
    }

    @Test
    void steersAwayFromALoadedBackend() {
        List<Backend> p = pool(1, 1, 1);
        hold(p.get(0), 5);
        int[] counts = counts(p, new PowerOfTwoStrategy(RandomSource.seeded(42)).build(p), 30_000);
        // Every pair holding a also holds an idle backend, which wins: a gets nothing.
        assertEquals(0, counts[0]);
        assertEquals(15_000, counts[1], 600);
    }

    @Test
    void balancesRequestsThatStayInFlight() {
        // 10 backends, 1,000 requests that never finish: two choices keep the spread tight (the
        // maximum is ln ln n / ln 2 + O(1) above the mean, against ln n / ln ln n for one random choice).
        List<Backend> p = pool(1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        Selector selector = new PowerOfTwoStrategy(RandomSource.seeded(9)).build(p);
        for (int i = 0; i < 1_000; i++) {
            selector.select(0, ALL).stats().requestStarted();
        }
        for (Backend b : p) {
            assertTrue(Math.abs(b.stats().inFlight() - 100) <= 3, b + " holds " + b.stats().inFlight());
        }
    }

    @Test
    void weightsScaleTheLoadABackendMayHold() {
        // Weights 3 and 1, two backends: each pick compares (in-flight + 1) / weight, so held requests
        // settle at 3:1 — 300 and 100 of 400, within one.
        List<Backend> p = pool(3, 1);
        Selector selector = new PowerOfTwoStrategy(RandomSource.seeded(9)).build(p);
        for (int i = 0; i < 400; i++) {
            selector.select(0, ALL).stats().requestStarted();
        }
        assertEquals(300, p.get(0).stats().inFlight(), 1);
    }
}
