package io.fulcrum.proxy.config;

import com.typesafe.config.ConfigOrigin;
import java.util.List;
import java.util.Locale;

/** A socket the config asks to bind (a listener's or the admin API's), kept to find two on one address. */
record BindSite(HostPort address, ConfigOrigin origin, String path, String owner) {

    /**
     * True when both cannot be bound at once: same port (not 0, which picks a free one) and the same
     * host, or either on a wildcard address (which takes the port on every interface). Host names are
     * not resolved here, so "localhost" and "127.0.0.1" are not seen as the same.
     */
    boolean clashesWith(BindSite other) {
        if (address.port() == 0 || address.port() != other.address.port()) {
            return false;
        }
        String a = address.host().toLowerCase(Locale.ROOT);
        String b = other.address.host().toLowerCase(Locale.ROOT);
        return a.equals(b) || wildcard(a) || wildcard(b);
    }

    private static boolean wildcard(String host) {
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0");
    }

    /** Reports every later site that clashes with an earlier one, at the later one's line. */
    static void reportClashes(List<BindSite> sites, ConfigErrors errors) {
        for (int i = 1; i < sites.size(); i++) {
            for (int j = 0; j < i; j++) {
                BindSite later = sites.get(i);
                BindSite earlier = sites.get(j);
                if (later.clashesWith(earlier)) {
                    errors.add(later.origin, later.path, later.address + " is already bound by " + earlier.owner
                            + " (" + Location.of(earlier.origin) + ")");
                    break;
                }
            }
        }
    }
}
