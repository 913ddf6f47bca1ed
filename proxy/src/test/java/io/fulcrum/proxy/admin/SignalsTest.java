package io.fulcrum.proxy.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The signals of SPEC section 2 on a real child process: SIGHUP reloads (an invalid config is refused
 * and reported by /api/v1/status; a valid one raises the generation) and SIGTERM stops with exit 0.
 * The config file is not named *.conf, so the file watcher stays out of it: only the signal reloads.
 */
class SignalsTest {

    @TempDir
    Path dir;

    private static String config(String strategy, Path dir) {
        return """
                fulcrum {
                  listeners = [ { name = web, bind = "127.0.0.1:0", routes = [ { path-prefix = "/", pool = web } ] } ]
                  pools { web { strategy = %s, health { type = none }, backends = [ { address = "127.0.0.1:9" } ] } }
                  admin { bind = "127.0.0.1:0", state-file = "%s" }
                  threads = 1
                }
                """.formatted(strategy, dir.resolve("state.json"));
    }

    private static JsonNode status(HttpClient client, int port) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/api/v1/status")).build(), HttpResponse.BodyHandlers.ofString());
        return new ObjectMapper().readTree(r.body());
    }

    private static JsonNode awaitStatus(HttpClient client, int port, java.util.function.Predicate<JsonNode> done)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        JsonNode s = status(client, port);
        while (!done.test(s) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            s = status(client, port);
        }
        return s;
    }

    @Test
    void hupReloadsAndTermStopsWithExitZero() throws Exception {
        Path file = dir.resolve("fulcrum.hocon");
        Files.writeString(file, config("round-robin", dir));
        HttpClient client = HttpClient.newHttpClient();
        try (ChildDaemon child = new ChildDaemon(file)) {
            int port = child.adminPort();
            assertEquals(1, status(client, port).get("configGeneration").asLong());

            Files.writeString(file, config("fastest", dir));
            child.signal("HUP");
            JsonNode refused = awaitStatus(client, port, s -> s.path("lastReload").path("result").asText().equals("failed"));
            assertEquals("failed", refused.path("lastReload").path("result").asText(), refused.toString());
            assertTrue(refused.path("lastReload").toString().contains("fulcrum.hocon:"), refused.toString());
            assertEquals(1, refused.get("configGeneration").asLong());

            Files.writeString(file, config("least-connections", dir));
            child.signal("HUP");
            JsonNode applied = awaitStatus(client, port, s -> s.get("configGeneration").asLong() == 2);
            assertEquals(2, applied.get("configGeneration").asLong(), applied.toString());

            child.signal("TERM");
            assertEquals(0, child.exitCode(), child.output());
            assertTrue(child.output().contains("fulcrum stopped"), child.output());
        }
    }

    @Test
    void aDaemonStartedUnderNohupSaysThatHupWillNotReload() throws Exception {
        Path file = dir.resolve("fulcrum.hocon");
        Files.writeString(file, config("round-robin", dir));
        try (ChildDaemon child = new ChildDaemon(file, java.util.List.of("nohup"))) {
            child.adminPort();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!child.output().contains("SIGHUP is ignored") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(child.output().contains("SIGHUP is ignored by this process"), child.output());
            child.signal("TERM");
            assertEquals(0, child.exitCode(), child.output());
        }
    }
}
