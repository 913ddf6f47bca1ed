package io.fulcrum.admin.server;

import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import java.util.Map;

/**
 * A routed admin request, copied out of Netty's buffers (admin bodies are small) so that the
 * request's buffer is released on the event loop before any work is handed to the worker.
 *
 * @param params query parameters, decoded
 * @param remote the client's address, for the audit log
 */
record AdminRequest(HttpMethod method, Route route, Map<String, List<String>> params, byte[] body, String remote) {

    AdminRequest {
        params = Map.copyOf(params);
    }
}
