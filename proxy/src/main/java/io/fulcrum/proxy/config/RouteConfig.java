package io.fulcrum.proxy.config;

import java.util.Optional;

/**
 * A route: requests whose Host (without port, case-insensitive) equals {@code host} when given, and
 * whose path starts with {@code pathPrefix} (default "/"), go to {@code pool}. First match wins.
 */
public record RouteConfig(Optional<String> host, String pathPrefix, String pool) {
}
