package io.fulcrum.proxy.lb;

import static io.fulcrum.proxy.lb.TestPools.counts;
import static io.fulcrum.proxy.lb.TestPools.pool;

import io.fulcrum.proxy.backend.Backend;
import java.util.List;
import org.junit.jupiter.api.Test;

class RandomStrategyTest {

    @Test
    void sharesFollowWeightsOver100kPicks() {
        List<Backend> p = pool(1, 2, 3);
        int[] counts = counts(p, new RandomStrategy(RandomSource.seeded(42)).build(p), 100_000);
        // Each draw lands on a with probability 1/6, b 2/6, c 3/6 (running sums 1,3,6). Over 100,000
        // draws a share's standard deviation is sqrt(p(1-p)/n) ≤ 0.16 %, so ±1 % is > 6 sigma.
        WeightedRoundRobinStrategyTest.assertShares(counts, 1, 2, 3);
    }

    @Test
    void weightsAreEffectiveWeightsNotPoolOrder() {
        List<Backend> p = pool(3, 2, 1);
        int[] counts = counts(p, new RandomStrategy(RandomSource.seeded(7)).build(p), 100_000);
        WeightedRoundRobinStrategyTest.assertShares(counts, 3, 2, 1);
    }
}
