package io.fulcrum.proxy.admin;

import io.fulcrum.proxy.config.ConfigLoader;
import io.fulcrum.proxy.daemon.Daemon;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * Whole-daemon fixtures for admin tests: a HOCON config written to a folder (one listener and the
 * admin API on 127.0.0.1 port 0, one pool "web" of the given backends, the state file beside it),
 * the real {@link Daemon} started from it, and a traffic client.
 *
 * <p>Probes are HTTP every 60 s with rise 2: a backend added through the API stays health "unknown"
 * for the whole of a test, whatever the health component does, and config backends stay "up".
 */
final class AdminFixture {

    static final String TOKEN = "test-token-0123456789";

    private static final HttpClient TRAFFIC = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private AdminFixture() {
    }

    /** Writes {@code dir/fulcrum.conf} with retries = 0; the state file is {@code dir/state/fulcrum-state.json}. */
    static Path writeConfig(Path dir, List<String> backends) {
        return writeConfig(dir, backends, 0);
    }

    /** As {@link #writeConfig(Path, List)} with the pool's {@code retries}. */
    static Path writeConfig(Path dir, List<String> backends, int retries) {
        String list = backends.stream().map(a -> "{ address = \"" + a + "\" }").collect(Collectors.joining(", "));
        String text = """
                fulcrum {
                  listeners = [ { name = web, bind = "127.0.0.1:0", routes = [ { path-prefix = "/", pool = web } ] } ]
                  pools {
                    web {
                      strategy = round-robin
                      backends = [ %s ]
                      health { type = http, path = "/healthz", interval = 60s, timeout = 1s, rise = 2, fall = 3 }
                      retries = %d
                    }
                  }
                  admin { bind = "127.0.0.1:0", token = "%s", state-file = "state/fulcrum-state.json" }
                  threads = 1
                  timeouts { shutdown-grace = 2s }
                }
                """.formatted(list, retries, TOKEN);
        try {
            Files.createDirectories(dir.resolve("state"));
            Path conf = dir.resolve("fulcrum.conf");
            Files.writeString(conf, text);
            return conf;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path stateFile(Path dir) {
        return dir.resolve("state/fulcrum-state.json");
    }

    static Daemon start(Path conf) {
        try {
            return Daemon.start(ConfigLoader.load(conf));
        } catch (Exception e) {
            throw new AssertionError("daemon did not start: " + e, e);
        }
    }

    static AdminClient client(Daemon d) {
        return new AdminClient(d.adminAddress(), TOKEN);
    }

    /** A request through the daemon's listener "web". */
    static HttpResponse<String> traffic(Daemon d, String path) throws IOException, InterruptedException {
        return TRAFFIC.send(request(d, path), HttpResponse.BodyHandlers.ofString());
    }

    static HttpRequest request(Daemon d, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + d.listenerAddress("web").getPort() + path))
                .timeout(Duration.ofSeconds(20)).build();
    }

    static HttpClient trafficClient() {
        return TRAFFIC;
    }

    /** Polls (every 5 ms) until the condition holds, or fails after 10 s. */
    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting until " + what);
            }
        }
    }
}
