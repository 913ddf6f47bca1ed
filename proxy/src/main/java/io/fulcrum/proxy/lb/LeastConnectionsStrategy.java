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
 * <p>Ties share round-robin: a first pass finds the lowest score and how many backends have it (m),
 * a second takes the (ticket mod m)-th of them in pool order. Idle equal backends → a b c a b c; with
 * a loaded and b, c idle → b c b c (a plain rotating scan start would give b twice as often as c,
 * since a start on a lands on b).
 *
 * <p>Select path: one {@code getAndIncrement}, then two passes of volatile reads of each backend's
 * in-flight counter — O(n), exact. For pools of hundreds of backends {@code power-of-two} or
 * {@code dynamic} give nearly the same balance at O(1) (see bench/README.md). Counters move under
 * the scan (other event loops); if the second pass no longer finds the m-th tie, the first pass's
 * choice stands.
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
            int ticket = start.getAndIncrement();
            int best = -1;
            long bestLoad = 0;
            long bestWeight = 1;
            int ties = 0;
            for (int i = 0; i < n; i++) {
                Backend b = backends[i];
                if (accept.test(b)) {
                    long load = b.stats().inFlight() + 1L;
                    // compare load/weight with bestLoad/bestWeight, without division
                    long diff = load * bestWeight - bestLoad * weights[i];
                    if (best < 0 || diff < 0) {
                        best = i;
                        bestLoad = load;
                        bestWeight = weights[i];
                        ties = 1;
                    } else if (diff == 0) {
                        ties++;
                    }
                }
            }
            if (ties <= 1) {
                return best < 0 ? null : backends[best];
            }
            int wanted = Candidates.slot(ticket, ties);
            for (int i = best; i < n; i++) {
                Backend b = backends[i];
                if ((b.stats().inFlight() + 1L) * bestWeight == bestLoad * weights[i] && accept.test(b)
                        && wanted-- == 0) {
                    return b;
                }
            }
            return backends[best];
        }
    }
}
