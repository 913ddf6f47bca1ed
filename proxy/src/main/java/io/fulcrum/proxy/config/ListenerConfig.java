package io.fulcrum.proxy.config;

import java.util.List;
import java.util.Optional;

/** One {@code listeners} entry: where it binds, optional TLS, and its routes in match order. */
public record ListenerConfig(String name, HostPort bind, Optional<TlsConfig> tls, List<RouteConfig> routes) {
}
