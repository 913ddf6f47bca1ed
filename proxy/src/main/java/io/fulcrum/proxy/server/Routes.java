package io.fulcrum.proxy.server;

import io.fulcrum.proxy.backend.BackendPool;
import java.util.List;
import java.util.Locale;

/**
 * A listener's routing table: first match wins (SPEC section 3). Immutable; a reload publishes a new
 * one, so each request sees the old table or the new one, never a mix.
 */
public final class Routes {

    /** @param host lower-case host without port, or null for any host */
    public record Route(String host, String pathPrefix, BackendPool pool) {
    }

    private final Route[] routes;

    public Routes(List<Route> routes) {
        this.routes = routes.toArray(Route[]::new);
    }

    /**
     * The pool for a request, or null (404).
     *
     * @param uri  the request target: origin form ({@code /a?b}) or absolute form ({@code http://h/a})
     * @param host the Host header, possibly with a port, or null
     */
    public BackendPool match(String uri, String host) {
        String path = uri;
        if (!uri.startsWith("/")) {
            // Absolute form: the authority in the target wins over the Host header (RFC 9112 3.2.2).
            int scheme = uri.indexOf("://");
            if (scheme > 0) {
                int slash = uri.indexOf('/', scheme + 3);
                host = uri.substring(scheme + 3, slash < 0 ? uri.length() : slash);
                path = slash < 0 ? "/" : uri.substring(slash);
            }
        }
        String bareHost = null;
        for (Route r : routes) {
            if (r.host() != null) {
                if (bareHost == null) {
                    bareHost = bareHost(host);
                }
                if (!r.host().equals(bareHost)) {
                    continue;
                }
            }
            if (path.startsWith(r.pathPrefix())) {
                return r.pool();
            }
        }
        return null;
    }

    /** Host without its port, lower case; "" when absent. */
    static String bareHost(String host) {
        if (host == null) {
            return "";
        }
        String h = host.trim();
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            h = end > 0 ? h.substring(1, end) : h;
        } else {
            int colon = h.indexOf(':');
            if (colon >= 0) {
                h = h.substring(0, colon);
            }
        }
        return h.toLowerCase(Locale.ROOT);
    }
}
