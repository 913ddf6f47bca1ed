package io.fulcrum.health;

import java.net.InetSocketAddress;

/**
 * A target to probe.
 *
 * @param id            unique among the checker's targets; names the target in logs and listener calls.
 *                      The proxy uses {@code pool/host:port}, since one backend address may sit in several
 *                      pools, each with its own probe settings and state
 * @param host          the backend's {@code host:port}, sent as the http probe's {@code Host}
 * @param address       resolved address to connect to (the checker never resolves names)
 * @param settings      how to probe it
 * @param initialStatus UP for backends from the config file (assumed up until probes say otherwise),
 *                      UNKNOWN for backends added at runtime (they need {@code rise} passes)
 * @param listener      told of transitions, load reports and agent replies, on the checker's loop
 */
public record HealthTarget(String id, String host, InetSocketAddress address, ProbeSettings settings,
                           HealthStatus initialStatus, HealthListener listener) {

    public HealthTarget {
        if (id == null || host == null || address == null || settings == null || initialStatus == null
                || listener == null) {
            throw new IllegalArgumentException("health target fields must not be null");
        }
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("health target address must be resolved: " + address);
        }
    }

    /** A target whose id is also its {@code Host} ({@code host:port}): one target per address. */
    public HealthTarget(String id, InetSocketAddress address, ProbeSettings settings, HealthStatus initialStatus,
                        HealthListener listener) {
        this(id, id, address, settings, initialStatus, listener);
    }
}
