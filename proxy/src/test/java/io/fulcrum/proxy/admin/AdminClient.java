package io.fulcrum.proxy.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A java.net.http client for the admin API of a daemon under test, with or without the token. */
final class AdminClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String token;

    /** @param token null to send no Authorization header */
    AdminClient(InetSocketAddress admin, String token) {
        this.base = "http://127.0.0.1:" + admin.getPort();
        this.token = token;
    }

    AdminClient(int port, String token) {
        this(new InetSocketAddress("127.0.0.1", port), token);
    }

    AdminClient withToken(String other) {
        return new AdminClient(URI.create(base).getPort(), other);
    }

    HttpResponse<String> get(String path) {
        return send("GET", path, null);
    }

    HttpResponse<String> post(String path, String body) {
        return send("POST", path, body);
    }

    HttpResponse<String> patch(String path, String body) {
        return send("PATCH", path, body);
    }

    HttpResponse<String> delete(String path) {
        return send("DELETE", path, null);
    }

    HttpResponse<String> send(String method, String path, String body) {
        try {
            return sendAsync(method, path, body).get();
        } catch (Exception e) {
            throw new AssertionError(method + " " + path + " failed: " + e, e);
        }
    }

    CompletableFuture<HttpResponse<String>> sendAsync(String method, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** GET path, asserting 200, as JSON. */
    JsonNode json(String path) {
        HttpResponse<String> r = get(path);
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        return parse(r.body());
    }

    /** One backend as the API shows it, or null when the pool has no such backend. */
    JsonNode backend(String pool, String id) {
        for (JsonNode b : json("/api/v1/pools/" + pool).get("backends")) {
            if (b.get("id").asText().equals(id)) {
                return b;
            }
        }
        return null;
    }

    static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }
}
