package io.fulcrum.proxy.lb;

import io.fulcrum.proxy.backend.Backend;
import java.util.function.Predicate;

/**
 * Picks a backend for one request. Called from every event loop at once: never blocks, takes no lock,
 * allocates nothing on the steady path, touches at most a few atomics.
 */
public interface Selector {

    /**
     * Returns a backend for which {@code accept} holds, or null when none does (never null while one
     * backend is accepted: a strategy whose own choice is refused falls back to another backend).
     *
     * @param hashKey the request's hash (see {@link HashKeys}) for consistent-hash; others ignore it, so
     *                callers may pass 0 for pools of other strategies
     * @param accept  filters backends out: not selectable any more since the selector was built, or
     *                the one a retry must avoid. Called a few times per select (more only when it
     *                refuses); must be cheap, thread-safe and free of side effects
     */
    Backend select(long hashKey, Predicate<Backend> accept);
}
