package io.fulcrum.proxy.lb;

import static io.fulcrum.proxy.lb.TestPools.ALL;
import static io.fulcrum.proxy.lb.TestPools.counts;
import static io.fulcrum.proxy.lb.TestPools.hold;
import static io.fulcrum.proxy.lb.TestPools.letters;
import static io.fulcrum.proxy.lb.TestPools.pool;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fulcrum.proxy.backend.Backend;
import java.util.List;
import org.junit.jupiter.api.Test;

class DynamicStrategyTest {

    @Test
    void idlePoolGetsExactWeightedShares() {
        List<Backend> p = pool(1, 2, 3);
        Selector selector = new DynamicStrategy(RandomSource.seeded(1)).build(p);
        // Nothing in flight: the random challenger never has strictly fewer requests per weight than
        // the smooth-order candidate (0 vs 0), so the order is NGINX's: c b a c b c.
        assertEquals("cbacbc", letters(p, selector, 6));
        int[] counts = counts(p, selector, 100_000 - 6);
        counts[0] += 1;
        counts[1] += 2;
        counts[2] += 3;
        // 100,000 = 16,666 cycles of 6 + "cbac": a 16,667, b 33,333, c 50,000 — exactly 1:2:3.
        assertArrayEquals(new int[] {16_667, 33_333, 50_000}, counts);
        WeightedRoundRobinStrategyTest.assertShares(counts, 1, 2, 3);
    }

    @Test
    void steersAwayFromABackendHoldingMoreThanItsShare() {
        List<Backend> p = pool(1, 1, 1);
        hold(p.get(0), 10);
        Selector selector = new DynamicStrategy(RandomSource.seeded(3)).build(p);
        int[] counts = counts(p, selector, 3_000);
        // a's turns (1/3 of the cycle) always face a challenger with 0 in flight and lose; b's and c's
        // turns face a challenger that is a (loses) or the other idle one (tie, turn kept).
        assertEquals(0, counts[0]);
        assertEquals(1_500, counts[1], 150);
        assertEquals(3_000, counts[1] + counts[2]);
    }

    @Test
    void behavesAsWeightedLeastConnectionsUnderLoad() {
        // Requests that never finish, placed one by one: weighted least-connections keeps in-flight
        // proportional to weight. With weights 1,2,3 and 600 requests held, that is 100/200/300; the
        // two-candidate check keeps every backend within a few requests of it.
        List<Backend> p = pool(1, 2, 3);
        Selector selector = new DynamicStrategy(RandomSource.seeded(5)).build(p);
        for (int i = 0; i < 600; i++) {
            selector.select(0, ALL).stats().requestStarted();
        }
        assertEquals(100, p.get(0).stats().inFlight(), 5);
        assertEquals(200, p.get(1).stats().inFlight(), 5);
        assertEquals(300, p.get(2).stats().inFlight(), 5);
        // Now b is stuck with 100 more (300 on weight 2 = 150 per unit, a and c at 100). Its smooth
        // turns face a or c, both lighter per unit, and lose: the next 200 go to a and c until they
        // reach b's level (a +50, c +150), as weighted least-connections would place them.
        hold(p.get(1), 100);
        for (int i = 0; i < 200; i++) {
            selector.select(0, ALL).stats().requestStarted();
        }
        assertEquals(300, p.get(1).stats().inFlight(), 5);
        assertEquals(150, p.get(0).stats().inFlight(), 10);
        assertEquals(450, p.get(2).stats().inFlight(), 10);
    }
}
