package io.fulcrum.proxy.config;

/** Reads {@code host:port} values through {@link HostPort#parse}; nothing is resolved here. */
final class Addresses {

    private Addresses() {
    }

    /** A required address whose port is at least {@code minPort} (0 for binds, 1 for backends). */
    static HostPort read(Section s, String key, int minPort) {
        String text = s.requiredString(key);
        if (text == null) {
            return null;
        }
        try {
            HostPort hp = HostPort.parse(text);
            if (hp.port() < minPort) {
                s.error(key, "port must be " + minPort + "..65535, got '" + text + "'");
                return null;
            }
            return hp;
        } catch (IllegalArgumentException e) {
            s.error(key, e.getMessage());
            return null;
        }
    }
}
