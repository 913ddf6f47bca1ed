package io.fulcrum.proxy.config;

import com.typesafe.config.ConfigOrigin;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads and checks {@code fulcrum.listeners}: names, binds, TLS and routes. Confined to the loading thread. */
final class ListenerReader {

    private static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");
    private static final Set<String> ALPN = Set.of("h2", "http/1.1");

    private final Reference reference;
    private final ConfigFiles files;
    private final Set<String> poolNames;

    /** @param poolNames every pool declared, valid or not (so a broken pool does not also break its routes) */
    ListenerReader(Reference reference, ConfigFiles files, Set<String> poolNames) {
        this.reference = reference;
        this.files = files;
        this.poolNames = poolNames;
    }

    /** The listeners in file order, each with a {@link BindSite} for the bind-conflict check. */
    List<ListenerConfig> read(Section fulcrum, List<BindSite> binds) {
        List<ListenerConfig> out = new ArrayList<>();
        List<Section> entries = fulcrum.objects("listeners", reference.listener);
        if (entries == null) {
            return out;
        }
        Map<String, ConfigOrigin> names = new HashMap<>();
        for (Section s : entries) {
            String name = s.requiredString("name");
            if (name != null) {
                if (!Names.valid(name)) {
                    s.error("name", Names.RULE + ", got '" + name + "'");
                } else if (names.containsKey(name)) {
                    s.error("name", "duplicate listener name '" + name + "' (first at " + Location.of(names.get(name)) + ")");
                } else {
                    names.put(name, s.value("name").origin());
                }
            }
            HostPort bind = Addresses.read(s, "bind", 0);
            if (bind != null) {
                binds.add(new BindSite(bind, s.value("bind").origin(), s.pathOf("bind"), "listener '" + name + "'"));
            }
            Optional<TlsConfig> tls = Optional.empty();
            if (s.has("tls")) {
                Section t = s.object("tls", reference.tls);
                tls = t == null ? Optional.empty() : Optional.ofNullable(tls(t));
            }
            List<RouteConfig> routes = routes(s);
            out.add(new ListenerConfig(name, bind, tls, routes));
        }
        return out;
    }

    private List<RouteConfig> routes(Section listener) {
        List<Section> entries = listener.objects("routes", reference.route);
        if (entries == null || entries.isEmpty()) {
            if (entries != null || !listener.has("routes")) {
                listener.error("routes", "a listener needs at least one route, such as { path-prefix = \"/\", pool = web }");
            }
            return List.of();
        }
        List<RouteConfig> out = new ArrayList<>();
        for (Section r : entries) {
            Optional<String> host = Optional.empty();
            String h = r.string("host");
            if (h != null) {
                String trimmed = h.trim();
                if (trimmed.isEmpty()) {
                    r.error("host", "must not be empty (leave it out to match every host)");
                } else if (trimmed.contains(":") && !trimmed.startsWith("[")) {
                    r.error("host", "write the host without a port (the Host header's port is ignored), got '" + h + "'");
                } else if (trimmed.contains("/") || trimmed.chars().anyMatch(Character::isWhitespace)) {
                    r.error("host", "is not a host name, got '" + h + "'");
                } else {
                    host = Optional.of(trimmed.toLowerCase(Locale.ROOT));
                }
            }
            String prefix = r.string("path-prefix");
            if (prefix != null && !prefix.startsWith("/")) {
                r.error("path-prefix", "must start with \"/\", got '" + prefix + "'");
            }
            String pool = r.requiredString("pool");
            if (pool != null && !poolNames.contains(pool)) {
                r.error("pool", "no pool named '" + pool + "'"
                        + (poolNames.isEmpty() ? " (no pools are defined)" : " (pools: " + String.join(", ", poolNames) + ")"));
            }
            out.add(new RouteConfig(host, prefix, pool));
        }
        return List.copyOf(out);
    }

    private TlsConfig tls(Section t) {
        List<TlsConfig.Certificate> certificates = new ArrayList<>();
        List<Section> entries = t.objects("certificates", reference.certificate);
        if (entries == null || entries.isEmpty()) {
            if (entries != null || !t.has("certificates")) {
                t.error("certificates", "needs at least one { cert = ..., key = ... }");
            }
        } else {
            for (Section c : entries) {
                certificates.add(new TlsConfig.Certificate(
                        pem(c, "cert", "-----BEGIN CERTIFICATE-----", "a PEM certificate"),
                        pem(c, "key", "PRIVATE KEY-----", "a PEM private key")));
            }
        }
        List<String> protocols = oneOf(t, "protocols", PROTOCOLS, false);
        List<String> alpn = oneOf(t, "alpn", ALPN, true);
        return new TlsConfig(List.copyOf(certificates), protocols, alpn);
    }

    /**
     * A PEM file that must exist and look like what it should be; checked at load so a reload with a
     * bad path or a swapped cert/key is rejected before anything changes.
     */
    private Path pem(Section c, String key, String marker, String what) {
        String name = c.requiredString(key);
        if (name == null) {
            return null;
        }
        Path file = files.resolve(name);
        String text = ConfigFiles.readText(file, c, key);
        if (text != null && !text.contains(marker)) {
            c.error(key, file + " does not hold " + what + " (no '" + marker + "' line)");
        }
        return file;
    }

    private static List<String> oneOf(Section t, String key, Set<String> allowed, boolean emptyAllowed) {
        List<String> values = t.stringList(key);
        if (values == null) {
            return List.of();
        }
        if (values.isEmpty() && !emptyAllowed) {
            t.error(key, "must name at least one of " + String.join(", ", allowed.stream().sorted().toList()));
        }
        for (String v : values) {
            if (!allowed.contains(v)) {
                t.error(key, "unknown '" + v + "'; valid: " + String.join(", ", allowed.stream().sorted().toList()));
            }
        }
        return List.copyOf(values);
    }
}
