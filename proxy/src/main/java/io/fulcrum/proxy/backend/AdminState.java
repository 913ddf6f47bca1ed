package io.fulcrum.proxy.backend;

/**
 * What an operator decided for a backend. Probes never change it; an operator never fakes health.
 * DRAINING: no new requests, in-flight ones finish; DRAINED: draining and nothing in flight any more.
 */
public enum AdminState {
    ACTIVE, DRAINING, DRAINED, DISABLED;

    /** The lower-case word the admin API and logs use. */
    public String word() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
