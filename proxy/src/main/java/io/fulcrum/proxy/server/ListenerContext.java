package io.fulcrum.proxy.server;

import io.fulcrum.proxy.config.LimitsConfig;
import io.fulcrum.proxy.config.TimeoutsConfig;
import io.fulcrum.proxy.server.tls.TlsContexts;
import io.fulcrum.proxy.upstream.ExchangeEvents;
import io.fulcrum.proxy.upstream.UpstreamConnections;

/**
 * What every connection of one listener shares. The volatile fields are replaced whole by a reload
 * and read once per request; everything else is fixed for the listener's life.
 */
public final class ListenerContext {

    private final String name;
    private final String scheme;
    private final TlsContexts tls;
    private final UpstreamConnections upstream;
    private final ClientConnections clients;
    private final ExchangeEvents events;
    private volatile Routes routes;
    private volatile LimitsConfig limits;
    private volatile TimeoutsConfig timeouts;
    private final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();

    /** @param tls the listener's certificates, or null for plain HTTP */
    public ListenerContext(String name, TlsContexts tls, Routes routes, LimitsConfig limits, TimeoutsConfig timeouts,
                           UpstreamConnections upstream, ClientConnections clients, ExchangeEvents events) {
        this.name = name;
        this.tls = tls;
        this.scheme = tls == null ? "http" : "https";
        this.routes = routes;
        this.limits = limits;
        this.timeouts = timeouts;
        this.upstream = upstream;
        this.clients = clients;
        this.events = events;
    }

    public String name() {
        return name;
    }

    /** "http" or "https", for X-Forwarded-Proto. */
    public String scheme() {
        return scheme;
    }

    /** The listener's TLS, or null. */
    public TlsContexts tls() {
        return tls;
    }

    public Routes routes() {
        return routes;
    }

    public void routes(Routes routes) {
        this.routes = routes;
    }

    public LimitsConfig limits() {
        return limits;
    }

    public TimeoutsConfig timeouts() {
        return timeouts;
    }

    /** A reload's new limits and timeouts apply to connections accepted from then on. */
    public void update(LimitsConfig limits, TimeoutsConfig timeouts) {
        this.limits = limits;
        this.timeouts = timeouts;
    }

    public UpstreamConnections upstream() {
        return upstream;
    }

    public ClientConnections clients() {
        return clients;
    }

    public ExchangeEvents events() {
        return events;
    }

    void connectionOpened() {
        connections.incrementAndGet();
    }

    void connectionClosed() {
        connections.decrementAndGet();
    }

    /** Open client connections on this listener (fulcrum_connections_active). */
    public int activeConnections() {
        return connections.get();
    }
}
