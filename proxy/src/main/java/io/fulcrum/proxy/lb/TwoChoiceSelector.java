package io.fulcrum.proxy.lb;

import io.fulcrum.proxy.backend.Backend;
import java.util.function.Predicate;

/**
 * The power of two choices (Mitzenmacher): draw two distinct backends at random and keep the one with
 * the lower {@link #cost}. Nearly as well balanced as scanning the whole pool for the least loaded,
 * at O(1), and — unlike always taking the global minimum — it does not herd every event loop onto
 * the same backend between two counter updates.
 *
 * <p>Select path: two random draws, two cost reads; no shared write at all. Refusals: if one of the
 * two is refused the other is taken; if both are, the pool is scanned from the second.
 */
abstract class TwoChoiceSelector implements Selector {

    protected final Backend[] backends;
    protected final int[] weights;
    private final RandomSource random;

    TwoChoiceSelector(Backend[] backends, int[] weights, RandomSource random) {
        this.backends = backends;
        this.weights = weights;
        this.random = random;
    }

    /**
     * Lower is better. Called from any thread; must not allocate.
     *
     * @param now what {@link #now()} returned for this select, read once for both candidates
     */
    abstract double cost(int index, long now);

    /** The time costs are computed at; strategies whose cost does not age return 0 (no clock read). */
    long now() {
        return 0;
    }

    @Override
    public final Backend select(long hashKey, Predicate<Backend> accept) {
        int n = backends.length;
        if (n == 1) {
            return accept.test(backends[0]) ? backends[0] : null;
        }
        int i = random.nextInt(n);
        int j = random.nextInt(n - 1);
        if (j >= i) {
            j++;
        }
        boolean okI = accept.test(backends[i]);
        boolean okJ = accept.test(backends[j]);
        if (okI && okJ) {
            long now = now();
            return cost(i, now) <= cost(j, now) ? backends[i] : backends[j];
        }
        if (okI) {
            return backends[i];
        }
        if (okJ) {
            return backends[j];
        }
        return Candidates.firstAccepted(backends, j + 1, accept);
    }
}
