package io.fulcrum.proxy.lb;

import io.fulcrum.proxy.backend.Backend;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * {@code least-connections}, weighted: the backend with the lowest (in-flight + 1) / effective weight,
 * the score of Envoy's least-request with bias 1 (HAProxy's leastconn orders servers the same way).
 * The +1 is the request being placed: with nothing in flight, weights 3 and 1 score 1/3 and 1/1 and
 * the heavier wins; it keeps winning until it holds 3 while the other holds 0 (4/3 > 1/1).
 *
 * <p>Ties (equal backends, or an idle pool of equal weights) go round-robin: the scan starts one
 * position further at each pick, and only a strictly lower score displaces the first candidate.
 * In-flight 0,0,0 with equal weights → a b c a b c.
 *
 * <p>Select path: one {@code getAndIncrement}, then one volatile read of each backend's in-flight
 * counter — O(n), exact. For pools of hundreds of backends {@code power-of-two} or {@code dynamic}
 * gives nearly the same balance at O(1) (see bench/README.md).
 */
public final class LeastConnectionsStrategy implements Strategy {

    @Override
    public Selector build(List<Backend> backends) {
        Backend[] array = Candidates.toArray(backends);
        return new LeastConnectionsSelector(array, Candidates.effectiveWeights(array));
    }

    private static final class LeastConnectionsSelector implements Selector {
        private final Backend[] backends;
        private final int[] weights;
        private final AtomicInteger start = new AtomicInteger();

        LeastConnectionsSelector(Backend[] backends, int[] weights) {
            this.backends = backends;
            this.weights = weights;
        }

        @Override
        public Backend select(long hashKey, Predicate<Backend> accept) {
            int n = backends.length;
            int i = Candidates.slot(start.getAndIncrement(), n);
            Backend best = null;
            long bestLoad = 0;
            long bestWeight = 1;
            for (int k = 0; k < n; k++) {
                Backend b = backends[i];
                if (accept.test(b)) {
                    long load = b.stats().inFlight() + 1L;
                    // load/weight < bestLoad/bestWeight, without division
                    if (best == null || load * bestWeight < bestLoad * weights[i]) {
                        best = b;
                        bestLoad = load;
                        bestWeight = weights[i];
                    }
                }
                if (++i == n) {
                    i = 0;
                }
            }
            return best;
        }
    }
}
