package io.fulcrum.proxy.lb;

import io.fulcrum.proxy.backend.Backend;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * NGINX's smooth weighted round-robin, computed once per build and then replayed by one shared
 * counter, so selection needs no lock (NGINX updates its per-peer "current weights" under the
 * upstream lock on every pick; here that loop runs in {@code build()} instead).
 *
 * <p>NGINX's step: every backend's current weight grows by its weight; the largest (first on ties)
 * is picked and loses the total. Weights 5,1,1 (a,b,c), currents before → after each pick:
 * <pre>
 *   (5,1,1) a → (-2,1,1)   (3,2,2) a → (-4,2,2)   (1,3,3) b → (1,-4,3)   (6,-3,4) a → (-1,-3,4)
 *   (4,-2,5) c → (4,-2,-2) (9,-1,-1) a → (2,-1,-1) (7,0,0) a → (0,0,0)    = a a b a c a a, then again
 * </pre>
 * Smoothness: after any t picks every backend has had its exact share t·w/T (T = sum of weights)
 * give or take one pick, so the heaviest never gets a burst: a run of k picks moves its count k but
 * its share only k·w/T, hence k ≤ 2T / (T − w). Repeated, 5,1,1 has runs of at most 4 (across the
 * wrap: …a a | a a b…), where plain weighted round-robin sends a a a a a b c.
 *
 * <p>The cycle is {@code sum(weights) / gcd} long. When that exceeds {@link #MAX_CYCLE} the weights
 * are scaled down to fit (each share then off by at most one pick in its scaled weight) so that a
 * pool of 300 backends with unrelated weights costs at most ~1 MB and tens of milliseconds to build.
 *
 * <p>Threading: immutable but for {@link #ticket}; {@link #next} is safe from any thread.
 */
final class SmoothWeightedCycle {

    static final int MAX_CYCLE = 1 << 16;

    private final Backend[] backends;
    private final int[] weights;
    /** One NGINX cycle as indices into {@link #backends}. */
    private final int[] cycle;
    private final AtomicInteger ticket = new AtomicInteger();

    SmoothWeightedCycle(Backend[] backends, int[] weights) {
        this.backends = backends;
        this.weights = weights;
        this.cycle = buildCycle(reduce(weights));
    }

    Backend backend(int index) {
        return backends[index];
    }

    int weight(int index) {
        return weights[index];
    }

    int size() {
        return backends.length;
    }

    int cycleLength() {
        return cycle.length;
    }

    /**
     * The index of the next backend in smooth order that {@code accept} takes, or -1 when none does.
     * One {@code getAndIncrement}. A refused pick walks on along the cycle (so a retry that avoids one
     * backend mostly still follows the weights) for up to n entries — bounded, because a heavy refused
     * backend can fill long stretches of the cycle — then scans the pool from a position that turns
     * with the ticket, so those leftover turns spread evenly over the accepted backends.
     */
    int next(Predicate<Backend> accept) {
        int n = backends.length;
        int t = ticket.getAndIncrement();
        int pos = Candidates.slot(t, cycle.length);
        int walk = Math.min(n, cycle.length);
        for (int k = 0; k < walk; k++) {
            int index = cycle[pos];
            if (accept.test(backends[index])) {
                return index;
            }
            if (++pos == cycle.length) {
                pos = 0;
            }
        }
        int index = Candidates.slot(t, n);
        for (int k = 0; k < n; k++) {
            if (accept.test(backends[index])) {
                return index;
            }
            if (++index == n) {
                index = 0;
            }
        }
        return -1;
    }

    /** Weights divided by their gcd, scaled down proportionally if the cycle would be too long. */
    static int[] reduce(int[] weights) {
        int gcd = 0;
        long sum = 0;
        for (int w : weights) {
            gcd = gcd(gcd, w);
        }
        int[] reduced = new int[weights.length];
        for (int i = 0; i < weights.length; i++) {
            reduced[i] = weights[i] / gcd;
            sum += reduced[i];
        }
        if (sum > MAX_CYCLE) {
            for (int i = 0; i < reduced.length; i++) {
                reduced[i] = (int) Math.max(1, reduced[i] * (long) (MAX_CYCLE - reduced.length) / sum);
            }
        }
        return reduced;
    }

    /** Runs NGINX's loop for one full cycle (after which every current weight is back to zero). */
    static int[] buildCycle(int[] weights) {
        int total = 0;
        for (int w : weights) {
            total += w;
        }
        int[] current = new int[weights.length];
        int[] cycle = new int[total];
        for (int step = 0; step < total; step++) {
            int best = 0;
            for (int i = 0; i < weights.length; i++) {
                current[i] += weights[i];
                if (current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= total;
            cycle[step] = best;
        }
        return cycle;
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
