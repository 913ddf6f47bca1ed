package io.fulcrum.admin.server;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A request path resolved to an {@link Endpoint} and its path parameters. Segments are
 * percent-decoded one by one, so a backend id such as {@code [::1]:8080} may be sent encoded. One
 * trailing slash is ignored. Immutable.
 *
 * @param pool      the {pool} segment, or null
 * @param backendId the {id} segment, or null
 */
record Route(Endpoint endpoint, String pool, String backendId) {

    /** The endpoint the raw path (without query) names, or empty for an unknown path (404). */
    static Optional<Route> resolve(String rawPath) {
        String path = rawPath.length() > 1 && rawPath.endsWith("/") ? rawPath.substring(0, rawPath.length() - 1) : rawPath;
        if (!path.startsWith("/")) {
            return Optional.empty();
        }
        List<String> s = new ArrayList<>();
        for (String raw : path.substring(1).split("/", -1)) {
            s.add(QueryStringDecoder.decodeComponent(raw, StandardCharsets.UTF_8));
        }
        if (s.contains("")) {
            return Optional.empty();
        }
        int n = s.size();
        if (n == 1 && s.get(0).equals("healthz")) {
            return Optional.of(new Route(Endpoint.HEALTHZ, null, null));
        }
        if (n == 1 && s.get(0).equals("metrics")) {
            return Optional.of(new Route(Endpoint.METRICS, null, null));
        }
        if (n < 3 || !s.get(0).equals("api") || !s.get(1).equals("v1")) {
            return Optional.empty();
        }
        String head = s.get(2);
        if (n == 3 && head.equals("status")) {
            return Optional.of(new Route(Endpoint.STATUS, null, null));
        }
        if (n == 3 && head.equals("reload")) {
            return Optional.of(new Route(Endpoint.RELOAD, null, null));
        }
        if (!head.equals("pools")) {
            return Optional.empty();
        }
        if (n == 3) {
            return Optional.of(new Route(Endpoint.POOLS, null, null));
        }
        String pool = s.get(3);
        if (n == 4) {
            return Optional.of(new Route(Endpoint.POOL, pool, null));
        }
        if (!s.get(4).equals("backends")) {
            return Optional.empty();
        }
        if (n == 5) {
            return Optional.of(new Route(Endpoint.BACKENDS, pool, null));
        }
        if (n == 6) {
            return Optional.of(new Route(Endpoint.BACKEND, pool, s.get(5)));
        }
        if (n == 7 && s.get(6).equals("drain")) {
            return Optional.of(new Route(Endpoint.DRAIN, pool, s.get(5)));
        }
        return Optional.empty();
    }
}
