package io.fulcrum.admin;

import java.util.Objects;

/**
 * One backend as the admin API shows it (SPEC section 7): a snapshot taken by the daemon, with the
 * JSON shape {@code id, address, weight, effectiveWeight, state, health, inFlight, activeConnections,
 * requests, failures, load{cpuUtilization, connections, reportedAt}, source}.
 *
 * @param id                the backend's id, its address {@code host:port}
 * @param address           {@code host:port} as configured or added
 * @param weight            the configured weight (1..1000), as the operator set it
 * @param effectiveWeight   what health, load reports and slow start make of it now
 * @param inFlight          requests sent and not yet answered
 * @param activeConnections open connections to the backend (pooled idle ones included)
 * @param requests          requests sent since the backend exists
 * @param failures          requests that failed (connect errors, resets, 5xx counted by the daemon)
 */
public record BackendView(
        String id,
        String address,
        int weight,
        int effectiveWeight,
        BackendState state,
        BackendHealth health,
        int inFlight,
        int activeConnections,
        long requests,
        long failures,
        LoadView load,
        BackendSource source) {

    public BackendView {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(load, "load");
        Objects.requireNonNull(source, "source");
    }
}
