package io.fulcrum.proxy.lb;

import static io.fulcrum.proxy.lb.TestPools.counts;
import static io.fulcrum.proxy.lb.TestPools.letters;
import static io.fulcrum.proxy.lb.TestPools.pool;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fulcrum.proxy.backend.Backend;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WeightedRoundRobinStrategyTest {

    @Test
    void followsNginxSmoothSequence() {
        // NGINX's documented example (ngx_http_upstream_round_robin.c): 5,1,1 → a a b a c a a.
        List<Backend> p = pool(5, 1, 1);
        assertEquals("aabacaa" + "aabacaa", letters(p, new WeightedRoundRobinStrategy().build(p), 14));
        // 1,2,3: currents (1,2,3)→c, (2,4,0)→b, (3,0,3)→a (first on the tie), (-2,2,6)→c,
        // (-1,4,3)→b, (0,0,6)→c, back to (0,0,0).
        List<Backend> q = pool(1, 2, 3);
        assertEquals("cbacbc" + "cbacbc", letters(q, new WeightedRoundRobinStrategy().build(q), 12));
        // Weights with a common factor give the same order as the reduced ones.
        List<Backend> r = pool(500, 100, 100);
        assertEquals("aabacaa", letters(r, new WeightedRoundRobinStrategy().build(r), 7));
    }

    @Test
    void sharesFollowWeightsOver100kPicks() {
        List<Backend> p = pool(1, 2, 3);
        int[] counts = counts(p, new WeightedRoundRobinStrategy().build(p), 100_000);
        // The cycle c b a c b c is 6 long: 100,000 = 16,666 cycles + "cbac", so a gets exactly
        // 16,667, b 33,333 and c 50,000 — within ±1 % of 1/6, 2/6, 3/6 with room to spare.
        assertArrayEquals(new int[] {16_667, 33_333, 50_000}, counts);
        assertShares(counts, 1, 2, 3);
    }

    @Test
    void neverStraysMoreThanOnePickFromTheExactShare() {
        // NGINX's smoothness: after any t picks, backend i has had t·w_i/T picks ± 1 (T = sum of
        // weights) — plain weighted round-robin (a×w_a, then b×w_b...) drifts by up to w_i. A run of k
        // picks of i raises its count by k but its exact share by only k·w_i/T, so the theoretical
        // maximum in a row is floor(2T / (T - w_i)). Checked over two cycles, to cover the wrap, for
        // 300 random weight sets (fixed seed).
        Random random = new Random(11);
        for (int trial = 0; trial < 300; trial++) {
            int n = 2 + random.nextInt(6);
            int[] weights = new int[n];
            for (int i = 0; i < n; i++) {
                weights[i] = 1 + random.nextInt(50);
            }
            List<Backend> p = pool(weights);
            int total = 0;
            for (int w : weights) {
                total += w;
            }
            Selector selector = new WeightedRoundRobinStrategy().build(p);
            int[] picks = new int[n];
            int[] run = new int[n];
            int last = -1;
            for (int t = 1; t <= 2 * total; t++) {
                int i = p.indexOf(selector.select(0, TestPools.ALL));
                picks[i]++;
                run[i] = i == last ? run[i] + 1 : 1;
                last = i;
                int maxRun = 2 * total / (total - weights[i]);
                assertTrue(run[i] <= maxRun, () -> "run too long for " + java.util.Arrays.toString(weights));
                for (int j = 0; j < n; j++) {
                    double deviation = picks[j] - (double) t * weights[j] / total;
                    assertTrue(Math.abs(deviation) <= 1.0, "drifted from its share");
                }
            }
        }
    }

    @Test
    void burstOfTheHeaviestIsShorterThanItsWeight() {
        // 5,1,1 as a sequence that repeats: "aabacaa|aabacaa" holds a run of 4 across the wrap; plain
        // weighted round-robin would send 5 in a row (a a a a a b c). Theoretical bound: floor(2·7/2) = 7.
        List<Backend> p = pool(5, 1, 1);
        String seq = letters(p, new WeightedRoundRobinStrategy().build(p), 70);
        assertTrue(!seq.contains("aaaaa") && seq.contains("aaaa"), seq);
    }

    @Test
    void aRefusedBackendsTurnsFollowTheWeightsOfTheOthers() {
        List<Backend> p = pool(5, 1, 1);
        Selector selector = new WeightedRoundRobinStrategy().build(p);
        int[] counts = new int[3];
        for (int i = 0; i < 7_000; i++) {
            counts[p.indexOf(selector.select(0, b -> b != p.get(0)))]++;
        }
        // Cycle a a b a c a a with a refused: slots 0,1 walk on to b and slot 3 to c (the walk
        // follows the weights), b and c keep slots 2 and 4 — b 3, c 2 per cycle. Slots 5,6 meet only
        // a's within 3 steps and fall to the scan, which starts at ticket mod 3: a (refused, → b), b
        // or c, so b gets 2/3 of those 2 picks. Per 7 picks: b 3 + 4/3, c 2 + 2/3 → 4,333 and 2,667.
        assertEquals(0, counts[0]);
        assertEquals(4_333, counts[1], 2);
        assertEquals(7_000, counts[1] + counts[2]);
    }

    @Test
    void veryLongCyclesAreScaledDownAndStayProportional() {
        // 300 backends with unrelated weights: the reduced cycle would be ~150,000 long; it is scaled
        // to at most MAX_CYCLE. Shares stay within 2 % of each weight (scaled weights are ≥ 100).
        int[] weights = new int[300];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = 997 - i; // 697..997, gcd 1
        }
        List<Backend> p = pool(weights);
        int[] counts = counts(p, new WeightedRoundRobinStrategy().build(p), SmoothWeightedCycle.MAX_CYCLE);
        long total = 0;
        for (int w : weights) {
            total += w;
        }
        for (int i = 0; i < weights.length; i++) {
            double expected = (double) SmoothWeightedCycle.MAX_CYCLE * weights[i] / total;
            assertEquals(expected, counts[i], expected * 0.02 + 1, "backend " + i);
        }
    }

    /** Each count within ±1 % of all picks of its weighted share. */
    static void assertShares(int[] counts, int... weights) {
        long picks = 0;
        long total = 0;
        for (int i = 0; i < counts.length; i++) {
            picks += counts[i];
            total += weights[i];
        }
        for (int i = 0; i < counts.length; i++) {
            double expected = (double) weights[i] / total;
            assertEquals(expected, (double) counts[i] / picks, 0.01, "share of backend " + i);
        }
    }
}
