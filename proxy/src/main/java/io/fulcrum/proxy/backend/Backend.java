package io.fulcrum.proxy.backend;

import io.fulcrum.health.HealthStatus;
import io.fulcrum.proxy.config.HostPort;
import java.net.InetSocketAddress;

/**
 * One backend server of a pool, shared by every event loop.
 *
 * <p>State is kept apart, as HAProxy does: the configured weight (what the operator set) and the
 * effective weight (what health, load reports and slow start make of it); health (what probes say)
 * and admin state (what the operator says). Fields are volatile and written off the request path
 * (probes, the admin API, reloads); whoever changes one tells the owning {@link BackendPool} so it
 * rebuilds its selector. The request path only reads them and updates {@link #stats()}.
 */
public final class Backend {

    /** Where the backend came from: the config file, or the admin API (which wins across reloads). */
    public enum Source { CONFIG, API }

    private final HostPort address;
    private final InetSocketAddress socketAddress;
    private final BackendStats stats = new BackendStats();
    private volatile Source source;
    private volatile int weight;
    private volatile int effectiveWeight;
    private volatile HealthStatus health;
    private volatile AdminState adminState = AdminState.ACTIVE;
    private volatile Object meters;
    private volatile boolean removed;

    /**
     * @param health UP for backends from the config file at start (assumed up until probes say
     *               otherwise), UNKNOWN for those added at runtime (they wait for {@code rise} passes)
     */
    public Backend(HostPort address, InetSocketAddress socketAddress, int weight, Source source, HealthStatus health) {
        this.address = address;
        this.socketAddress = socketAddress;
        this.weight = weight;
        this.effectiveWeight = weight;
        this.source = source;
        this.health = health;
    }

    /** The id the admin API and metrics use: {@code host:port}. */
    public String id() {
        return address.toString();
    }

    public HostPort address() {
        return address;
    }

    /** Resolved when the backend was created (at load or reload), so connecting never resolves DNS. */
    public InetSocketAddress socketAddress() {
        return socketAddress;
    }

    /**
     * The metrics component's meters for this backend, made once when it appears so that recording a
     * request needs no lookup. Null until metrics are attached.
     */
    public Object meters() {
        return meters;
    }

    public void meters(Object meters) {
        this.meters = meters;
    }

    public BackendStats stats() {
        return stats;
    }

    /** True when new requests may go here: operator says active and probes say up. */
    public boolean isSelectable() {
        return adminState == AdminState.ACTIVE && health == HealthStatus.UP;
    }

    public int weight() {
        return weight;
    }

    public int effectiveWeight() {
        return effectiveWeight;
    }

    public HealthStatus health() {
        return health;
    }

    public AdminState adminState() {
        return adminState;
    }

    public Source source() {
        return source;
    }

    /** True once the backend left its pool: its connections are not pooled any more. */
    public boolean isRemoved() {
        return removed;
    }

    // Setters are package-private: BackendPool changes state and rebuilds its selector in one place.

    void weight(int weight) {
        this.weight = weight;
    }

    void effectiveWeight(int effectiveWeight) {
        this.effectiveWeight = effectiveWeight;
    }

    void health(HealthStatus health) {
        this.health = health;
    }

    void adminState(AdminState adminState) {
        this.adminState = adminState;
    }

    void markRemoved() {
        this.removed = true;
    }

    void source(Source source) {
        this.source = source;
    }

    @Override
    public String toString() {
        return id();
    }
}
