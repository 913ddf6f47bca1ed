package io.fulcrum.proxy.lb;

import io.fulcrum.proxy.backend.Backend;
import java.util.List;
import java.util.function.Predicate;

/**
 * Helpers every selector shares: the array and weight views built once in {@code build()}, and the
 * last-resort scan a selector falls back to when its own choice is refused by the accept predicate.
 * Pure functions over immutable arrays: any thread, no allocation on the select path.
 */
final class Candidates {

    private Candidates() {
    }

    static Backend[] toArray(List<Backend> backends) {
        if (backends.isEmpty()) {
            throw new IllegalArgumentException("a selector needs at least one backend");
        }
        return backends.toArray(new Backend[0]);
    }

    /**
     * Effective weights read once at build time (the pool rebuilds the selector whenever one changes).
     * Below 1 counts as 1: SPEC section 5 keeps a selectable backend's weight above a floor, and only
     * states (down, draining, disabled) take a backend out, which the pool has already filtered.
     */
    static int[] effectiveWeights(Backend[] backends) {
        int[] weights = new int[backends.length];
        for (int i = 0; i < backends.length; i++) {
            weights[i] = Math.max(1, backends[i].effectiveWeight());
        }
        return weights;
    }

    /**
     * The first backend from {@code start} (wrapping) that {@code accept} takes, or null. At most
     * {@code backends.length} predicate calls.
     */
    static Backend firstAccepted(Backend[] backends, int start, Predicate<Backend> accept) {
        int n = backends.length;
        int i = Math.floorMod(start, n);
        for (int k = 0; k < n; k++) {
            Backend b = backends[i];
            if (accept.test(b)) {
                return b;
            }
            if (++i == n) {
                i = 0;
            }
        }
        return null;
    }

    /** A ticket from a shared counter mapped onto {@code [0, n)}, non-negative even after the int wraps. */
    static int slot(int ticket, int n) {
        return (ticket & Integer.MAX_VALUE) % n;
    }
}
