package io.fulcrum.admin.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fulcrum.admin.AdminException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * An answer of the admin API before it becomes a Netty response: status, content type, body bytes
 * and any extra headers. Immutable, so it can be built on the worker thread and written on the
 * event loop.
 */
record AdminResponse(int status, String contentType, byte[] body, Map<String, String> headers) {

    static final String JSON = "application/json";
    static final String TEXT = "text/plain; charset=utf-8";
    static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

    AdminResponse {
        headers = Map.copyOf(headers);
    }

    static AdminResponse json(int status, ObjectNode body) {
        return new AdminResponse(status, JSON, AdminJson.bytes(body), Map.of());
    }

    static AdminResponse text(int status, String contentType, String body) {
        return new AdminResponse(status, contentType, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    static AdminResponse error(int status, String error, String detail) {
        return json(status, AdminJson.error(error, detail));
    }

    static AdminResponse of(AdminException e) {
        return error(e.status(), e.error(), e.detail());
    }

    AdminResponse withHeader(String name, String value) {
        Map<String, String> more = new java.util.HashMap<>(headers);
        more.put(name, value);
        return new AdminResponse(status, contentType, body, more);
    }
}
