package io.fulcrum.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** conf/fulcrum.conf and every conf/examples/*.conf load without errors. */
class ShippedConfigTest {

    @TempDir
    Path dir;

    /** The project root: the first folder up from the working directory that holds conf/fulcrum.conf. */
    static Path projectRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("conf/fulcrum.conf"))) {
                return p;
            }
        }
        throw new AssertionError("conf/fulcrum.conf not found above " + Path.of("").toAbsolutePath());
    }

    @Test
    void theDefaultConfigIsTheDemoSetUp() throws Exception {
        Path file = projectRoot().resolve("conf/fulcrum.conf");
        FulcrumConfig c = ConfigLoader.load(file, Map.of());

        assertEquals(List.of(new ListenerConfig("web", new HostPort("127.0.0.1", 8080), Optional.empty(),
                List.of(new RouteConfig(Optional.empty(), "/", "web")))), c.listeners());
        PoolConfig web = c.pools().get("web");
        assertEquals("dynamic", web.strategy());
        assertEquals(List.of(new BackendConfig(new HostPort("127.0.0.1", 9001), 100),
                new BackendConfig(new HostPort("127.0.0.1", 9002), 100),
                new BackendConfig(new HostPort("127.0.0.1", 9003), 100)), web.backends());
        assertEquals("http", web.health().type());
        assertEquals("/healthz", web.health().path());
        assertEquals(Duration.ofSeconds(1), web.health().interval());
        assertEquals(new HostPort("127.0.0.1", 9090), c.admin().bind());
        assertEquals(Optional.empty(), c.admin().token());
        assertEquals(file.toAbsolutePath().getParent().resolve("fulcrum-state.json"), c.admin().stateFile());

        assertEquals(Optional.of("from-env"),
                ConfigLoader.load(file, Map.of("FULCRUM_ADMIN_TOKEN", "from-env")).admin().token());
    }

    /**
     * Each example is copied next to the test certificates (tls/) and loaded with a token file from
     * FULCRUM_ADMIN_TOKEN_FILE, as the TLS example's comments describe.
     */
    @Test
    void everyExampleLoads() throws Exception {
        Files.createDirectories(dir.resolve("tls"));
        for (String name : List.of("www.example.com.crt", "www.example.com.key", "api.example.com.crt", "api.example.com.key")) {
            Files.copy(Path.of(getClass().getResource("/config/tls/" + name).toURI()), dir.resolve("tls").resolve(name));
        }
        Path token = Files.writeString(dir.resolve("admin.token"), "example-token\n");
        Map<String, String> env = Map.of("FULCRUM_ADMIN_TOKEN_FILE", token.toString());

        List<Path> examples = examples();
        assertTrue(examples.size() >= 3, "conf/examples holds at least three examples: " + examples);
        for (Path example : examples) {
            Path copy = Files.copy(example, dir.resolve(example.getFileName()));
            FulcrumConfig c = ConfigLoader.load(copy, env);
            assertFalse(c.listeners().isEmpty(), example + " has listeners");
            assertFalse(c.pools().isEmpty(), example + " has pools");
        }

        FulcrumConfig tls = ConfigLoader.load(dir.resolve("tls-termination.conf"), env);
        TlsConfig https = tls.listeners().get(0).tls().orElseThrow();
        assertEquals(List.of(
                new TlsConfig.Certificate(dir.resolve("tls/www.example.com.crt"), dir.resolve("tls/www.example.com.key")),
                new TlsConfig.Certificate(dir.resolve("tls/api.example.com.crt"), dir.resolve("tls/api.example.com.key"))),
                https.certificates());
        assertEquals(Optional.of("example-token"), tls.admin().token());

        PoolConfig api = ConfigLoader.load(dir.resolve("api-and-web.conf"), env).pools().get("api");
        assertEquals(Optional.of(new HashKeyConfig(HashKeyConfig.Kind.HEADER, "X-User-Id")), api.hashKey());

        PoolConfig app = ConfigLoader.load(dir.resolve("agent-check.conf"), env).pools().get("app");
        assertEquals(9999, app.health().agentPort());
        assertEquals(Duration.ofSeconds(60), app.slowStart());
    }

    private static List<Path> examples() throws IOException {
        try (Stream<Path> files = Files.list(projectRoot().resolve("conf/examples"))) {
            return files.filter(p -> p.toString().endsWith(".conf")).sorted().toList();
        }
    }
}
