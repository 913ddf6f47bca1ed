package io.fulcrum.proxy.upstream;

import io.fulcrum.proxy.backend.Backend;
import io.fulcrum.proxy.backend.BackendPool;

/**
 * What an exchange tells the rest of the daemon (metrics, passive health). Called on the client's
 * event loop, on the request path: implementations must not block or lock.
 */
public interface ExchangeEvents {

    ExchangeEvents NONE = new ExchangeEvents() {
    };

    /** One attempt on {@code backend} ended; failure = connect error, reset, timeout or 5xx. */
    default void backendResult(Backend backend, boolean failure) {
    }

    /** The request goes to another backend after a failure. */
    default void retried(BackendPool pool) {
    }
}
