package io.fulcrum.admin;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A drain that has begun: the backend takes no new requests from the moment the service returned.
 *
 * @param backend the backend just after the drain began (state DRAINING, or DRAINED if nothing was
 *                in flight)
 * @param drained completes with the backend's view once its in-flight count reached 0 (state
 *                DRAINED), on whatever thread noticed it; completes exceptionally with an
 *                {@link AdminException} if the drain ends otherwise: 409 {@code drain cancelled} when
 *                the backend was made active or disabled, 404 {@link AdminException#unknownBackend}
 *                when it was removed by force; a waiting {@code ?wait=} call answers that refusal.
 *                The admin server never cancels it and never blocks on it.
 */
public record DrainStarted(BackendView backend, CompletableFuture<BackendView> drained) {

    public DrainStarted {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(drained, "drained");
    }
}
