package io.fulcrum.proxy.lb;

import io.fulcrum.proxy.backend.Backend;
import java.util.function.Predicate;

/**
 * Picks a backend for one request. Called from every event loop at once: never blocks, takes no lock,
 * allocates nothing on the steady path, touches at most a few atomics.
 */
public interface Selector {

    /**
     * Returns a backend for which {@code accept} holds, or null when none does.
     *
     * @param hashKey the request's hash (see HashKeys) for consistent-hash; others ignore it
     * @param accept  filters backends out: not selectable any more since the selector was built, or
     *                the one a retry must avoid
     */
    Backend select(long hashKey, Predicate<Backend> accept);
}
