package io.fulcrum.admin.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class RouteTest {

    @Test
    void resolvesEveryPath() {
        assertEquals(new Route(Endpoint.HEALTHZ, null, null), Route.resolve("/healthz").orElseThrow());
        assertEquals(new Route(Endpoint.METRICS, null, null), Route.resolve("/metrics").orElseThrow());
        assertEquals(new Route(Endpoint.STATUS, null, null), Route.resolve("/api/v1/status").orElseThrow());
        assertEquals(new Route(Endpoint.RELOAD, null, null), Route.resolve("/api/v1/reload").orElseThrow());
        assertEquals(new Route(Endpoint.POOLS, null, null), Route.resolve("/api/v1/pools").orElseThrow());
        assertEquals(new Route(Endpoint.POOL, "web", null), Route.resolve("/api/v1/pools/web").orElseThrow());
        assertEquals(new Route(Endpoint.BACKENDS, "web", null), Route.resolve("/api/v1/pools/web/backends").orElseThrow());
        assertEquals(new Route(Endpoint.BACKEND, "web", "10.0.0.4:8080"),
                Route.resolve("/api/v1/pools/web/backends/10.0.0.4:8080").orElseThrow());
        assertEquals(new Route(Endpoint.DRAIN, "web", "10.0.0.4:8080"),
                Route.resolve("/api/v1/pools/web/backends/10.0.0.4:8080/drain").orElseThrow());
        assertEquals(new Route(Endpoint.BACKEND, "web", "[::1]:8080"),
                Route.resolve("/api/v1/pools/web/backends/%5B%3A%3A1%5D%3A8080").orElseThrow());
        assertEquals(new Route(Endpoint.POOLS, null, null), Route.resolve("/api/v1/pools/").orElseThrow());
    }

    @Test
    void unknownPathsResolveToNothing() {
        for (String path : new String[] {"/", "", "/api", "/api/v1", "/api/v2/status", "/api/v1/pools//backends",
                "/api/v1/pools/web/servers", "/api/v1/pools/web/backends/a:1/undrain", "/healthz/x", "healthz"}) {
            assertTrue(Route.resolve(path).isEmpty(), path);
        }
        assertEquals(Optional.empty(), Route.resolve("/api/v1/status/x"));
    }
}
