package io.fulcrum.proxy.config;

import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOrigin;
import io.fulcrum.health.ProbeSettings;
import io.fulcrum.proxy.lb.Strategies;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Reads and checks {@code fulcrum.pools}: strategy, hash key, backends, health and the rest. Confined to the loading thread. */
final class PoolReader {

    /** SPEC section 4's names, in its order, for the "valid:" list of an error (Strategies has no list). */
    private static final Set<String> HEALTH_TYPES = Set.of("http", "tcp", "none");
    private static final int MAX = Integer.MAX_VALUE;

    private final Reference reference;

    PoolReader(Reference reference) {
        this.reference = reference;
    }

    /** Every pool entry, valid or not, in file order (so routes can be checked against the names). */
    List<Map.Entry<String, Section>> entries(Section fulcrum) {
        List<Map.Entry<String, Section>> entries = fulcrum.entries("pools", reference.pool);
        return entries == null ? List.of() : entries;
    }

    Map<String, PoolConfig> read(List<Map.Entry<String, Section>> entries) {
        Map<String, PoolConfig> out = new LinkedHashMap<>();
        for (Map.Entry<String, Section> e : entries) {
            out.put(e.getKey(), pool(e.getKey(), e.getValue()));
        }
        return out;
    }

    private PoolConfig pool(String name, Section s) {
        if (!Names.valid(name)) {
            s.errors().add(s.origin(), s.path(), "pool name " + Names.RULE + ", got '" + name + "'");
        }
        String strategy = s.string("strategy");
        if (strategy != null && !Strategies.isKnown(strategy)) {
            s.error("strategy", "unknown strategy '" + strategy + "'; valid: "
                    + String.join(", ", Strategies.names()));
        }
        Optional<HashKeyConfig> hashKey = hashKey(s, strategy);
        List<BackendConfig> backends = backends(s);
        Section h = s.object("health", (ConfigObject) reference.pool.get("health"));
        HealthConfig health = h == null ? null : health(h);
        Section o = s.object("outlier", (ConfigObject) reference.pool.get("outlier"));
        OutlierConfig outlier = o == null ? null : outlier(o);
        Long retryBuffer = s.bytes("retry-buffer-bytes", 0, MAX);
        return new PoolConfig(name, strategy, hashKey, backends, health, outlier,
                s.duration("slow-start", true),
                s.duration("connect-timeout", false),
                s.duration("response-timeout", false),
                orZero(s.integer("retries", 0, MAX)),
                orZero(s.integer("max-connections-per-backend", 0, MAX)),
                s.duration("queue-timeout", false),
                orZero(s.integer("max-queue", 0, MAX)),
                retryBuffer == null ? 0 : retryBuffer.intValue());
    }

    /** consistent-hash defaults to the client's address; a hash-key on another strategy does nothing, so it is refused. */
    private static Optional<HashKeyConfig> hashKey(Section s, String strategy) {
        String text = s.string("hash-key");
        boolean consistent = "consistent-hash".equals(strategy);
        if (text == null) {
            return consistent ? Optional.of(new HashKeyConfig(HashKeyConfig.Kind.CLIENT_IP, "")) : Optional.empty();
        }
        if (strategy != null && Strategies.isKnown(strategy) && !consistent) {
            s.error("hash-key", "only strategy consistent-hash uses a hash-key (this pool's strategy is " + strategy + ")");
            return Optional.empty();
        }
        try {
            return Optional.of(HashKeyParser.parse(text));
        } catch (IllegalArgumentException e) {
            s.error("hash-key", e.getMessage());
            return Optional.empty();
        }
    }

    private List<BackendConfig> backends(Section pool) {
        List<Section> entries = pool.objects("backends", reference.backend);
        if (entries == null) {
            return List.of();
        }
        List<BackendConfig> out = new ArrayList<>();
        Map<String, ConfigOrigin> seen = new HashMap<>();
        for (Section b : entries) {
            HostPort address = Addresses.read(b, "address", 1);
            if (address != null) {
                // A backend's id is its address, so two entries with one address would be one backend.
                String id = address.toString().toLowerCase(Locale.ROOT);
                ConfigOrigin first = seen.putIfAbsent(id, b.value("address").origin());
                if (first != null) {
                    b.error("address", "duplicate backend " + address + " in this pool (first at " + Location.of(first) + ")");
                }
            }
            Integer weight = b.integer("weight", 1, 1000);
            out.add(new BackendConfig(address, weight == null ? 0 : weight));
        }
        return List.copyOf(out);
    }

    private static HealthConfig health(Section h) {
        String type = h.string("type");
        if (type != null && !HEALTH_TYPES.contains(type)) {
            h.error("type", "must be http, tcp or none, got '" + type + "'");
        }
        String path = h.string("path");
        if (path != null && !path.startsWith("/")) {
            h.error("path", "must start with \"/\", got '" + path + "'");
        } else if (path != null && !ProbeSettings.isRequestPath(path)) {
            h.error("path", "must be printable ASCII without spaces (percent-encode the rest), got '" + path + "'");
        }
        Duration interval = h.duration("interval", false);
        Duration timeout = h.duration("timeout", false);
        return new HealthConfig(type, path, interval, timeout,
                orZero(h.integer("rise", 1, MAX)),
                orZero(h.integer("fall", 1, MAX)),
                orZero(h.integer("agent-port", 0, 65535)));
    }

    private static OutlierConfig outlier(Section o) {
        Integer failures = o.integer("consecutive-failures", 0, MAX);
        Duration base = o.duration("base-ejection-time", false);
        Duration max = o.duration("max-ejection-time", false);
        if (base != null && max != null && max.compareTo(base) < 0) {
            o.error("max-ejection-time", "must be at least base-ejection-time (" + Section.render(o.value("base-ejection-time"))
                    + "), got " + Section.render(o.value("max-ejection-time")));
        }
        return new OutlierConfig(orZero(failures), base, max);
    }

    private static int orZero(Integer n) {
        return n == null ? 0 : n;
    }
}
