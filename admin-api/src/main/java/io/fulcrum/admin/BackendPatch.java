package io.fulcrum.admin;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * A {@code PATCH /api/v1/pools/{pool}/backends/{id}}: a new weight and/or a new admin state. The
 * server has already checked that at least one is present, that the weight is within 1..1000 and
 * that the state is ACTIVE (undoes a drain or a disable) or DISABLED; draining has its own endpoint.
 */
public record BackendPatch(OptionalInt weight, Optional<BackendState> state) {

    public BackendPatch {
        if (state.isPresent() && state.get() != BackendState.ACTIVE && state.get() != BackendState.DISABLED) {
            throw new IllegalArgumentException("a patch sets state active or disabled, not " + state.get().word());
        }
        if (weight.isEmpty() && state.isEmpty()) {
            throw new IllegalArgumentException("a patch changes a weight or a state");
        }
    }
}
