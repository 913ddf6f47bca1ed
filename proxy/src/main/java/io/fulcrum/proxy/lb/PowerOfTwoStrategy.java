package io.fulcrum.proxy.lb;

import io.fulcrum.proxy.backend.Backend;
import java.util.List;

/**
 * {@code power-of-two}: two distinct backends at random, the one with fewer in-flight requests per
 * unit of effective weight wins ((in-flight + 1) / weight, as Envoy's least-request). Equal weights,
 * in-flight a=5 b=0 c=0: a is drawn with b or c in 2 of 3 pairs and loses both, so a gets nothing until
 * it drains to the others' level; b and c share. See {@link TwoChoiceSelector}.
 */
public final class PowerOfTwoStrategy implements Strategy {

    private final RandomSource random;

    public PowerOfTwoStrategy(RandomSource random) {
        this.random = random;
    }

    @Override
    public Selector build(List<Backend> backends) {
        Backend[] array = Candidates.toArray(backends);
        return new PowerOfTwoSelector(array, Candidates.effectiveWeights(array), random);
    }

    private static final class PowerOfTwoSelector extends TwoChoiceSelector {
        PowerOfTwoSelector(Backend[] backends, int[] weights, RandomSource random) {
            super(backends, weights, random);
        }

        @Override
        double cost(int index, long now) {
            return (backends[index].stats().inFlight() + 1.0) / weights[index];
        }
    }
}
