package io.fulcrum.proxy.lb;

import io.fulcrum.proxy.backend.Backend;
import java.util.List;
import java.util.function.Predicate;

/**
 * {@code random}, weighted by effective weight: one draw in [0, total weight) and a binary search over
 * the running sums. Weights 1,2,3 → sums 1,3,6: a draw of 0 is a, 1–2 b, 3–5 c, so shares 1/6, 2/6,
 * 3/6. No shared state at all; a refused draw falls back to the next backend in pool order.
 */
public final class RandomStrategy implements Strategy {

    private final RandomSource random;

    public RandomStrategy(RandomSource random) {
        this.random = random;
    }

    @Override
    public Selector build(List<Backend> backends) {
        Backend[] array = Candidates.toArray(backends);
        int[] weights = Candidates.effectiveWeights(array);
        int[] sums = new int[array.length];
        long total = 0;
        for (int i = 0; i < array.length; i++) {
            total += weights[i];
            if (total > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("total weight overflows an int");
            }
            sums[i] = (int) total;
        }
        return new RandomSelector(array, sums, random);
    }

    private static final class RandomSelector implements Selector {
        private final Backend[] backends;
        /** sums[i] = weights[0] + ... + weights[i]. */
        private final int[] sums;
        private final RandomSource random;

        RandomSelector(Backend[] backends, int[] sums, RandomSource random) {
            this.backends = backends;
            this.sums = sums;
            this.random = random;
        }

        @Override
        public Backend select(long hashKey, Predicate<Backend> accept) {
            int draw = random.nextInt(sums[sums.length - 1]);
            // first i with sums[i] > draw
            int lo = 0;
            int hi = sums.length - 1;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (sums[mid] > draw) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            Backend b = backends[lo];
            return accept.test(b) ? b : Candidates.firstAccepted(backends, lo + 1, accept);
        }
    }
}
