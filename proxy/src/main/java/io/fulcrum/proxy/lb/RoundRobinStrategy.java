package io.fulcrum.proxy.lb;

import io.fulcrum.proxy.backend.Backend;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Plain round-robin, weights ignored: backends a b c → a b c a b c. One shared counter; a backend
 * the predicate refuses is skipped and the next one in order is tried (a b c with b refused →
 * a c c a c c: b's turns fall to its successor).
 *
 * <p>Select path: one {@code getAndIncrement}, then predicate calls until one accepts (at most n).
 */
public final class RoundRobinStrategy implements Strategy {

    @Override
    public Selector build(List<Backend> backends) {
        return new RoundRobinSelector(Candidates.toArray(backends));
    }

    private static final class RoundRobinSelector implements Selector {
        private final Backend[] ring;
        private final AtomicInteger next = new AtomicInteger();

        RoundRobinSelector(Backend[] ring) {
            this.ring = ring;
        }

        @Override
        public Backend select(long hashKey, Predicate<Backend> accept) {
            return Candidates.firstAccepted(ring, Candidates.slot(next.getAndIncrement(), ring.length), accept);
        }
    }
}
