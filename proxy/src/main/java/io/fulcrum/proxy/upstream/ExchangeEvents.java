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

    /**
     * A request was answered (by a backend or by Fulcrum itself) and its response written.
     *
     * @param pool    null when no route matched or the request was refused before routing
     * @param backend null when Fulcrum answered on its own (4xx, 503, and 502/504 after the last attempt)
     * @param status  the status sent to the client
     */
    default void requestDone(String listener, BackendPool pool, Backend backend, int status, long durationNanos) {
    }

    /** Calls {@code first}, then {@code second}. */
    static ExchangeEvents both(ExchangeEvents first, ExchangeEvents second) {
        return new ExchangeEvents() {
            @Override
            public void backendResult(Backend backend, boolean failure) {
                first.backendResult(backend, failure);
                second.backendResult(backend, failure);
            }

            @Override
            public void retried(BackendPool pool) {
                first.retried(pool);
                second.retried(pool);
            }

            @Override
            public void requestDone(String listener, BackendPool pool, Backend backend, int status, long nanos) {
                first.requestDone(listener, pool, backend, status, nanos);
                second.requestDone(listener, pool, backend, status, nanos);
            }
        };
    }
}
