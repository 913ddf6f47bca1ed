package io.fulcrum.admin.state;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;

/**
 * The state file's JSON, version 1:
 * <pre>
 * {
 *   "version" : 1,
 *   "pools" : {
 *     "web" : {
 *       "10.0.0.4:8080" : { "added" : true, "weight" : 100 },
 *       "127.0.0.1:9001" : { "weight" : 50, "state" : "disabled" },
 *       "127.0.0.1:9002" : { "removed" : true }
 *     }
 *   }
 * }
 * </pre>
 * Written indented, since operators read it. Reading is strict (unknown fields, wrong types,
 * duplicate keys and other versions are errors): the file is the record of what operators did, and
 * guessing at a damaged one could silently undo their work. Stateless; safe on any thread.
 */
final class StateFileFormat {

    static final int VERSION = 1;

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private StateFileFormat() {
    }

    static byte[] encode(RuntimeState state) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("version", VERSION);
        ObjectNode pools = root.putObject("pools");
        state.pools().forEach((pool, backends) -> {
            ObjectNode p = pools.putObject(pool);
            backends.forEach((id, o) -> {
                ObjectNode b = p.putObject(id);
                if (o.added()) {
                    b.put("added", true);
                }
                o.weight().ifPresent(w -> b.put("weight", w));
                o.state().ifPresent(s -> b.put("state", s.word()));
                if (o.removed()) {
                    b.put("removed", true);
                }
            });
        });
        try {
            return (MAPPER.writeValueAsString(root) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain nodes always serialises", e);
        }
    }

    /** @throws IllegalArgumentException saying what is wrong, when the bytes are not a valid state file */
    static RuntimeState decode(byte[] bytes) {
        JsonNode root;
        try {
            root = MAPPER.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage()
                    + " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        } catch (IOException e) {
            throw new IllegalArgumentException("unreadable: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("not a JSON object (an empty file is not a valid state file either)");
        }
        onlyFields(root, "the top level", Set.of("version", "pools"));
        JsonNode version = root.get("version");
        if (version == null || !version.isIntegralNumber()) {
            throw new IllegalArgumentException("no \"version\" number");
        }
        if (version.asLong() != VERSION) {
            throw new IllegalArgumentException("version " + version.asText() + " is not supported (this Fulcrum reads version "
                    + VERSION + ")");
        }
        JsonNode pools = root.get("pools");
        if (pools == null || !pools.isObject()) {
            throw new IllegalArgumentException("\"pools\" must be an object");
        }
        TreeMap<String, Map<String, BackendOverride>> result = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> ps = pools.fields(); ps.hasNext(); ) {
            Map.Entry<String, JsonNode> p = ps.next();
            if (!p.getValue().isObject()) {
                throw new IllegalArgumentException("pool \"" + p.getKey() + "\" must be an object");
            }
            TreeMap<String, BackendOverride> backends = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> bs = p.getValue().fields(); bs.hasNext(); ) {
                Map.Entry<String, JsonNode> b = bs.next();
                backends.put(b.getKey(), backend(p.getKey() + "/" + b.getKey(), b.getValue()));
            }
            result.put(p.getKey(), backends);
        }
        return RuntimeState.of(result);
    }

    private static BackendOverride backend(String where, JsonNode b) {
        if (!b.isObject()) {
            throw new IllegalArgumentException("backend " + where + " must be an object");
        }
        onlyFields(b, "backend " + where, Set.of("added", "weight", "state", "removed"));
        boolean added = bool(where, b, "added");
        boolean removed = bool(where, b, "removed");
        OptionalInt weight = OptionalInt.empty();
        if (b.has("weight")) {
            JsonNode w = b.get("weight");
            if (!w.isIntegralNumber() || !w.canConvertToInt() || w.intValue() < 1 || w.intValue() > 1000) {
                throw new IllegalArgumentException("backend " + where + ": \"weight\" must be a whole number 1..1000");
            }
            weight = OptionalInt.of(w.intValue());
        }
        Optional<StateOverride> state = Optional.empty();
        if (b.has("state")) {
            JsonNode s = b.get("state");
            if (!s.isTextual()) {
                throw new IllegalArgumentException("backend " + where + ": \"state\" must be a string");
            }
            try {
                state = Optional.of(StateOverride.fromWord(s.textValue()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("backend " + where + ": " + e.getMessage());
            }
        }
        try {
            return new BackendOverride(added, weight, state, removed);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("backend " + where + ": " + e.getMessage());
        }
    }

    private static boolean bool(String where, JsonNode b, String field) {
        JsonNode v = b.get(field);
        if (v == null) {
            return false;
        }
        if (!v.isBoolean()) {
            throw new IllegalArgumentException("backend " + where + ": \"" + field + "\" must be true or false");
        }
        return v.booleanValue();
    }

    private static void onlyFields(JsonNode o, String where, Set<String> known) {
        for (Iterator<String> names = o.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw new IllegalArgumentException(where + " has an unknown field \"" + name + "\"");
            }
        }
    }
}
