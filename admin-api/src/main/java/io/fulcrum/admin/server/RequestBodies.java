package io.fulcrum.admin.server;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.fulcrum.admin.AdminException;
import io.fulcrum.admin.BackendPatch;
import io.fulcrum.admin.BackendState;
import java.io.IOException;
import java.util.Iterator;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Reads and checks the JSON bodies of the admin API. Wrong JSON, wrong types, unknown fields (a typo
 * must not pass silently), weights outside 1..1000 and malformed addresses are 400s
 * ({@link AdminException#badRequest}). Stateless; safe on any thread.
 */
final class RequestBodies {

    static final int DEFAULT_WEIGHT = 100;
    static final int MIN_WEIGHT = 1;
    static final int MAX_WEIGHT = 1000;

    private static final ObjectReader READER = AdminJson.MAPPER.reader()
            .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private RequestBodies() {
    }

    /** What {@code POST /api/v1/pools/{pool}/backends} asks for. */
    record NewBackend(String address, int weight) {
    }

    /** {@code {"address":"10.0.0.4:8080","weight":100}}; weight optional (default 100). */
    static NewBackend newBackend(byte[] body) {
        JsonNode o = object(body, Set.of("address", "weight"));
        JsonNode address = o.get("address");
        if (address == null || !address.isTextual()) {
            throw AdminException.badRequest("'address' is required and must be a string \"host:port\"");
        }
        String checked = checkAddress(address.textValue());
        int weight = o.has("weight") ? weight(o.get("weight")) : DEFAULT_WEIGHT;
        return new NewBackend(checked, weight);
    }

    /** {@code {"weight":50}} and/or {@code {"state":"disabled"|"active"}}. */
    static BackendPatch patch(byte[] body) {
        JsonNode o = object(body, Set.of("weight", "state"));
        OptionalInt weight = o.has("weight") ? OptionalInt.of(weight(o.get("weight"))) : OptionalInt.empty();
        Optional<BackendState> state = Optional.empty();
        if (o.has("state")) {
            JsonNode s = o.get("state");
            if (!s.isTextual()) {
                throw AdminException.badRequest("'state' must be the string \"active\" or \"disabled\"");
            }
            switch (s.textValue()) {
                case "active":
                    state = Optional.of(BackendState.ACTIVE);
                    break;
                case "disabled":
                    state = Optional.of(BackendState.DISABLED);
                    break;
                case "draining":
                    throw AdminException.badRequest("drain with POST .../backends/{id}/drain, not with PATCH");
                default:
                    throw AdminException.badRequest("'state' must be \"active\" or \"disabled\", not \""
                            + s.textValue() + "\"");
            }
        }
        if (weight.isEmpty() && state.isEmpty()) {
            throw AdminException.badRequest("nothing to change: give \"weight\" and/or \"state\"");
        }
        return new BackendPatch(weight, state);
    }

    /**
     * Checks {@code host:port} (host a name, an IPv4 address or a bracketed IPv6 address; port
     * 1..65535) and returns it unchanged, since it is the backend's id.
     */
    static String checkAddress(String address) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw AdminException.badRequest("address '" + address + "' is not host:port");
        }
        String host = address.substring(0, colon);
        String port = address.substring(colon + 1);
        boolean bracketed = host.startsWith("[") && host.endsWith("]") && host.length() > 2;
        if (!bracketed && (host.contains(":") || host.contains("[") || host.contains("]"))) {
            throw AdminException.badRequest("address '" + address + "': write an IPv6 host in brackets, [::1]:8080");
        }
        if (host.chars().anyMatch(c -> Character.isWhitespace(c) || c == '/')) {
            throw AdminException.badRequest("address '" + address + "' has a malformed host");
        }
        int p;
        try {
            p = port.chars().allMatch(Character::isDigit) && port.length() <= 5 ? Integer.parseInt(port) : -1;
        } catch (NumberFormatException e) {
            p = -1;
        }
        if (p < 1 || p > 65535) {
            throw AdminException.badRequest("address '" + address + "': port must be 1..65535");
        }
        return address;
    }

    private static int weight(JsonNode w) {
        if (!w.isIntegralNumber() || !w.canConvertToInt()) {
            throw AdminException.badRequest("'weight' must be a whole number " + MIN_WEIGHT + ".." + MAX_WEIGHT);
        }
        int weight = w.intValue();
        if (weight < MIN_WEIGHT || weight > MAX_WEIGHT) {
            throw AdminException.badRequest("'weight' " + weight + " is outside " + MIN_WEIGHT + ".." + MAX_WEIGHT);
        }
        return weight;
    }

    private static JsonNode object(byte[] body, Set<String> known) {
        JsonNode node;
        try {
            node = READER.readTree(body);
        } catch (JsonProcessingException e) {
            throw AdminException.badRequest("the body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw AdminException.badRequest("the body could not be read: " + e.getMessage());
        }
        if (node == null || node.isMissingNode() || !node.isObject()) {
            throw AdminException.badRequest("the body must be a JSON object");
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw AdminException.badRequest("unknown field '" + name + "' (known: " + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
        return node;
    }
}
