package io.fulcrum.admin;

import java.util.Locale;

/**
 * What an operator decided for a backend, as the admin API shows it. DRAINING: no new requests, the
 * in-flight ones finish; DRAINED: draining and nothing in flight any more; DISABLED: no new requests
 * (in-flight ones finish too), without the drain bookkeeping.
 */
public enum BackendState {
    ACTIVE, DRAINING, DRAINED, DISABLED;

    /** The lower-case word used in JSON: {@code active}, {@code draining}, ... */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
