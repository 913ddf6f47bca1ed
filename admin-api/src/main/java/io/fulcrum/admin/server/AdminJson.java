package io.fulcrum.admin.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fulcrum.admin.BackendView;
import io.fulcrum.admin.LastReload;
import io.fulcrum.admin.LoadView;
import io.fulcrum.admin.PoolView;
import io.fulcrum.admin.StatusView;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Writes the admin views as JSON. The shapes are spelled out field by field here rather than left to
 * Jackson's record mapping, because they are a contract (SPEC section 7) that a rename in Java must
 * not change. Instants are ISO-8601 UTC strings; absent values are JSON null. Stateless; safe on
 * any thread.
 */
final class AdminJson {

    static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private AdminJson() {
    }

    static ObjectNode backend(BackendView b) {
        ObjectNode o = NODES.objectNode();
        o.put("id", b.id());
        o.put("address", b.address());
        o.put("weight", b.weight());
        o.put("effectiveWeight", b.effectiveWeight());
        o.put("state", b.state().word());
        o.put("health", b.health().word());
        o.put("inFlight", b.inFlight());
        o.put("activeConnections", b.activeConnections());
        o.put("requests", b.requests());
        o.put("failures", b.failures());
        o.set("load", load(b.load()));
        o.put("source", b.source().word());
        return o;
    }

    static ObjectNode load(LoadView l) {
        ObjectNode o = NODES.objectNode();
        o.put("cpuUtilization", l.cpuUtilization());
        o.put("connections", l.connections());
        o.put("reportedAt", instant(l.reportedAt()));
        return o;
    }

    static ObjectNode pool(PoolView p) {
        ObjectNode o = NODES.objectNode();
        o.put("name", p.name());
        o.put("strategy", p.strategy());
        ArrayNode backends = o.putArray("backends");
        p.backends().forEach(b -> backends.add(backend(b)));
        return o;
    }

    static ObjectNode pools(List<PoolView> pools) {
        ObjectNode o = NODES.objectNode();
        ArrayNode array = o.putArray("pools");
        pools.forEach(p -> array.add(pool(p)));
        return o;
    }

    static ObjectNode status(StatusView s) {
        ObjectNode o = NODES.objectNode();
        o.put("version", s.version());
        o.put("uptimeSeconds", s.uptime().toSeconds());
        o.put("configGeneration", s.configGeneration());
        LastReload r = s.lastReload();
        ObjectNode last = o.putObject("lastReload");
        last.put("result", r.result().name().toLowerCase(Locale.ROOT));
        last.put("at", instant(r.at()));
        last.put("error", r.errors().isEmpty() ? null : String.join("; ", r.errors()));
        ArrayNode errors = last.putArray("errors");
        r.errors().forEach(errors::add);
        return o;
    }

    static ObjectNode generation(long generation) {
        ObjectNode o = NODES.objectNode();
        o.put("generation", generation);
        return o;
    }

    /** The error body every refusal carries; {@code errors} is added for 422 reload answers. */
    static ObjectNode error(String error, String detail) {
        ObjectNode o = NODES.objectNode();
        o.put("error", error);
        o.put("detail", detail);
        return o;
    }

    static ObjectNode reloadRejected(List<String> errors) {
        ObjectNode o = error("invalid config", errors.size() + (errors.size() == 1 ? " error" : " errors")
                + " in the new config; the old config keeps serving: " + errors.get(0));
        ArrayNode array = o.putArray("errors");
        errors.forEach(array::add);
        return o;
    }

    /** Compact JSON and a final newline, so that {@code curl} output ends the line. */
    static byte[] bytes(ObjectNode node) {
        try {
            return (MAPPER.writeValueAsString(node) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain nodes always serialises", e);
        }
    }

    private static String instant(Instant at) {
        return at == null ? null : at.toString();
    }
}
