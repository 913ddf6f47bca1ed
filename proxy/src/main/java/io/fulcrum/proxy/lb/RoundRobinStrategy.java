package io.fulcrum.proxy.lb;

import io.fulcrum.proxy.backend.Backend;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Plain round-robin, weights ignored: backends a b c → a b c a b c. One shared counter; a backend
 * the predicate refuses is skipped and the next one in order is tried.
 */
public final class RoundRobinStrategy implements Strategy {

    @Override
    public Selector build(List<Backend> backends) {
        Backend[] ring = backends.toArray(Backend[]::new);
        AtomicInteger next = new AtomicInteger();
        return (hashKey, accept) -> pick(ring, next.getAndIncrement(), accept);
    }

    private static Backend pick(Backend[] ring, int ticket, Predicate<Backend> accept) {
        int n = ring.length;
        int start = Math.floorMod(ticket, n);
        for (int i = 0; i < n; i++) {
            Backend b = ring[(start + i) % n];
            if (accept.test(b)) {
                return b;
            }
        }
        return null;
    }
}
