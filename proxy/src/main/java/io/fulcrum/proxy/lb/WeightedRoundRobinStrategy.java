package io.fulcrum.proxy.lb;

import io.fulcrum.proxy.backend.Backend;
import java.util.List;
import java.util.function.Predicate;

/**
 * {@code weighted-round-robin}: NGINX's smooth weighted round-robin over effective weights. Weights
 * 5,1,1 → a a b a c a a (not NGINX's old a a a a a b c burst); weights 1,2,3 → c b a c b c. See
 * {@link SmoothWeightedCycle} for the algorithm and its lock-free form.
 *
 * <p>Select path: one {@code getAndIncrement} and one array read; a refused backend makes it walk
 * on along the cycle.
 */
public final class WeightedRoundRobinStrategy implements Strategy {

    @Override
    public Selector build(List<Backend> backends) {
        Backend[] array = Candidates.toArray(backends);
        return new WeightedRoundRobinSelector(new SmoothWeightedCycle(array, Candidates.effectiveWeights(array)));
    }

    private static final class WeightedRoundRobinSelector implements Selector {
        private final SmoothWeightedCycle cycle;

        WeightedRoundRobinSelector(SmoothWeightedCycle cycle) {
            this.cycle = cycle;
        }

        @Override
        public Backend select(long hashKey, Predicate<Backend> accept) {
            int index = cycle.next(accept);
            return index < 0 ? null : cycle.backend(index);
        }
    }
}
