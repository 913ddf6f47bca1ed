package io.fulcrum.admin.state;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What operators changed through the API for one backend (by pool and id). It wins over the config
 * file for that backend across reloads and restarts.
 *
 * @param added   the backend was added through the API; {@code weight} is then its weight
 * @param weight  the weight the operator set (for an added backend: always present)
 * @param state   a disable or drain the operator started; empty means active
 * @param removed the operator removed the backend: a config entry of that id stays out until an
 *                operator adds it back through the API. The other fields are then empty.
 */
public record BackendOverride(boolean added, OptionalInt weight, Optional<StateOverride> state, boolean removed) {

    public BackendOverride {
        Objects.requireNonNull(weight, "weight");
        Objects.requireNonNull(state, "state");
        if (removed && (added || weight.isPresent() || state.isPresent())) {
            throw new IllegalArgumentException("a removed backend carries no other override");
        }
        if (added && weight.isEmpty()) {
            throw new IllegalArgumentException("a backend added through the API has a weight");
        }
    }

    static final BackendOverride NOTHING = new BackendOverride(false, OptionalInt.empty(), Optional.empty(), false);
    static final BackendOverride REMOVED = new BackendOverride(false, OptionalInt.empty(), Optional.empty(), true);

    /** True when this override changes nothing (and can be dropped from the file). */
    boolean isEmpty() {
        return !added && !removed && weight.isEmpty() && state.isEmpty();
    }
}
