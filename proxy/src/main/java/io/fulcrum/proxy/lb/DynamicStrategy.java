package io.fulcrum.proxy.lb;

import io.fulcrum.proxy.backend.Backend;
import java.util.List;
import java.util.function.Predicate;

/**
 * {@code dynamic}, the default: follows each backend's effective weight (which health and load reports
 * set, SPEC section 5) and corrects for what is in flight right now.
 *
 * <p>Two candidates per request: the next one in smooth weighted order ({@link SmoothWeightedCycle},
 * NGINX's algorithm over effective weights) and one drawn at random. The random one wins only when it
 * has strictly fewer in-flight requests per unit of weight (inFlight/weight, HAProxy's leastconn
 * order). So:
 * <ul>
 *   <li>an idle pool gets exact weighted shares — weights 1,2,3 → c b a c b c, 1/6 2/6 3/6;</li>
 *   <li>a backend holding more than its weighted share of requests (slow, stuck, or a long download)
 *       loses every comparison it is part of, as under weighted least-connections: weights 1,1,1 with
 *       a=4 b=0 c=0 in flight → a's turns go to b or c;</li>
 *   <li>the order is O(1): one counter, one random draw, two in-flight reads — no O(n) scan.</li>
 * </ul>
 * Until the health issue feeds effective weights they equal the configured weights, and this behaves
 * as a weighted least-connections that stays proportional when idle.
 */
public final class DynamicStrategy implements Strategy {

    private final RandomSource random;

    public DynamicStrategy(RandomSource random) {
        this.random = random;
    }

    @Override
    public Selector build(List<Backend> backends) {
        Backend[] array = Candidates.toArray(backends);
        return new DynamicSelector(new SmoothWeightedCycle(array, Candidates.effectiveWeights(array)), random);
    }

    private static final class DynamicSelector implements Selector {
        private final SmoothWeightedCycle cycle;
        private final RandomSource random;

        DynamicSelector(SmoothWeightedCycle cycle, RandomSource random) {
            this.cycle = cycle;
            this.random = random;
        }

        @Override
        public Backend select(long hashKey, Predicate<Backend> accept) {
            int first = cycle.next(accept);
            if (first < 0) {
                return null;
            }
            int n = cycle.size();
            Backend a = cycle.backend(first);
            if (n == 1) {
                return a;
            }
            int other = random.nextInt(n - 1);
            if (other >= first) {
                other++;
            }
            Backend b = cycle.backend(other);
            // b.inFlight / w_b < a.inFlight / w_a, without division
            if ((long) b.stats().inFlight() * cycle.weight(first) < (long) a.stats().inFlight() * cycle.weight(other)
                    && accept.test(b)) {
                return b;
            }
            return a;
        }
    }
}
