package io.fulcrum.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Valid configs: every key read into the records, defaults applied, includes and environment. */
class ConfigLoaderTest {

    @TempDir
    Path dir;

    @Test
    void minimalConfigGetsEveryDefault() throws Exception {
        ConfigFixture f = new ConfigFixture(dir, Map.of());
        FulcrumConfig c = f.load(ConfigFixture.base("", ""));

        assertEquals(dir.resolve("f.conf"), c.source());
        assertEquals(List.of(new ListenerConfig("web", new HostPort("127.0.0.1", 8080), Optional.empty(),
                List.of(new RouteConfig(Optional.empty(), "/", "web")))), c.listeners());
        assertEquals(Map.of("web", new PoolConfig("web", "dynamic", Optional.empty(),
                List.of(new BackendConfig(new HostPort("127.0.0.1", 9001), 100)),
                new HealthConfig("http", "/healthz", Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3, 0),
                new OutlierConfig(5, Duration.ofSeconds(10), Duration.ofSeconds(300)),
                Duration.ofSeconds(10), Duration.ofSeconds(2), Duration.ofSeconds(30), 2, 0,
                Duration.ofSeconds(5), 1024, 65536)), c.pools());
        assertEquals(new AdminConfig(new HostPort("127.0.0.1", 9090), Optional.empty(),
                dir.resolve("fulcrum-state.json")), c.admin());
        assertEquals(0, c.threads());
        assertEquals(new TimeoutsConfig(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(30)), c.timeouts());
        assertEquals(new LimitsConfig(16384, 100000, 0, 8192), c.limits());
        assertEquals(new AccessLogConfig("", "json"), c.accessLog());
    }

    @Test
    void everyKeySetReadsIntoTheRecords() throws Exception {
        Path tls = dir.resolve("tls");
        Files.createDirectories(tls);
        for (String name : List.of("www.example.com.crt", "www.example.com.key", "api.example.com.crt", "api.example.com.key")) {
            Files.copy(Path.of(getClass().getResource("/config/tls/" + name).toURI()), tls.resolve(name));
        }
        Files.writeString(dir.resolve("admin.token"), "  s3cret\n");
        ConfigFixture f = new ConfigFixture(dir, Map.of());
        FulcrumConfig c = f.load("""
                fulcrum {
                  listeners = [
                    {
                      name = https
                      bind = "[::]:8443"
                      tls {
                        certificates = [
                          { cert = "tls/www.example.com.crt", key = "tls/www.example.com.key" }
                          { cert = "tls/api.example.com.crt", key = "tls/api.example.com.key" }
                        ]
                        protocols = [TLSv1.3]
                        alpn = ["http/1.1"]
                      }
                      routes = [
                        { host = "API.Example.com", path-prefix = "/v1/", pool = api }
                        { pool = web }
                      ]
                    }
                  ]
                  pools {
                    web {
                      strategy = round-robin
                      backends = [ { address = "10.0.0.1:80", weight = 1 }, { address = "web.internal:8080", weight = 1000 } ]
                      health { type = tcp, path = "/ping", interval = 500ms, timeout = 250ms, rise = 1, fall = 5, agent-port = 9999 }
                      outlier { consecutive-failures = 0, base-ejection-time = 1s, max-ejection-time = 1m }
                      slow-start = 0s
                      connect-timeout = 100ms
                      response-timeout = 1m
                      retries = 0
                      max-connections-per-backend = 50
                      queue-timeout = 1s
                      max-queue = 0
                      retry-buffer-bytes = 1k
                    }
                    api {
                      strategy = consistent-hash
                      hash-key = "cookie:session"
                    }
                    ch {
                      strategy = consistent-hash
                    }
                  }
                  admin { bind = "127.0.0.1:0", token-file = admin.token, state-file = "/var/lib/fulcrum/state.json" }
                  threads = 2
                  timeouts { client-header = 5s, client-idle = 2m, shutdown-grace = 0s }
                  limits { max-header-bytes = 32k, max-connections = 10, max-request-body-bytes = 10m, max-uri-bytes = 4096 }
                  access-log { path = "logs/access.log", format = combined }
                }
                """);

        ListenerConfig https = c.listeners().get(0);
        assertEquals(new HostPort("::", 8443), https.bind());
        assertEquals(new TlsConfig(List.of(
                new TlsConfig.Certificate(tls.resolve("www.example.com.crt"), tls.resolve("www.example.com.key")),
                new TlsConfig.Certificate(tls.resolve("api.example.com.crt"), tls.resolve("api.example.com.key"))),
                List.of("TLSv1.3"), List.of("http/1.1")), https.tls().orElseThrow());
        assertEquals(List.of(new RouteConfig(Optional.of("api.example.com"), "/v1/", "api"),
                new RouteConfig(Optional.empty(), "/", "web")), https.routes());

        assertEquals(List.of("web", "api", "ch"), List.copyOf(c.pools().keySet()), "pools keep file order");
        assertEquals(new PoolConfig("web", "round-robin", Optional.empty(),
                List.of(new BackendConfig(new HostPort("10.0.0.1", 80), 1),
                        new BackendConfig(new HostPort("web.internal", 8080), 1000)),
                new HealthConfig("tcp", "/ping", Duration.ofMillis(500), Duration.ofMillis(250), 1, 5, 9999),
                new OutlierConfig(0, Duration.ofSeconds(1), Duration.ofMinutes(1)),
                Duration.ZERO, Duration.ofMillis(100), Duration.ofMinutes(1), 0, 50, Duration.ofSeconds(1), 0, 1024),
                c.pools().get("web"));
        PoolConfig api = c.pools().get("api");
        assertEquals(Optional.of(new HashKeyConfig(HashKeyConfig.Kind.COOKIE, "session")), api.hashKey());
        assertEquals(List.of(), api.backends(), "a pool may start empty: backends come through the API");
        assertEquals(Optional.of(new HashKeyConfig(HashKeyConfig.Kind.CLIENT_IP, "")), c.pools().get("ch").hashKey(),
                "consistent-hash without a hash-key hashes the client address");

        assertEquals(new AdminConfig(new HostPort("127.0.0.1", 0), Optional.of("s3cret"),
                Path.of("/var/lib/fulcrum/state.json")), c.admin());
        assertEquals(2, c.threads());
        assertEquals(new TimeoutsConfig(Duration.ofSeconds(5), Duration.ofMinutes(2), Duration.ZERO), c.timeouts());
        assertEquals(new LimitsConfig(32768, 10, 10L * 1024 * 1024, 4096), c.limits());
        assertEquals(new AccessLogConfig(dir.resolve("logs/access.log").toString(), "combined"), c.accessLog());
    }

    @Test
    void returnedCollectionsAreImmutable() throws Exception {
        FulcrumConfig c = new ConfigFixture(dir, Map.of()).load(ConfigFixture.base("", ""));
        assertThrows(UnsupportedOperationException.class, () -> c.pools().remove("web"));
        assertThrows(UnsupportedOperationException.class, () -> c.listeners().clear());
        assertThrows(UnsupportedOperationException.class, () -> c.pools().get("web").backends().clear());
        assertThrows(UnsupportedOperationException.class, () -> c.listeners().get(0).routes().clear());
    }

    @Test
    void includesAreRelativeToTheFileAndEnvironmentFillsSubstitutions() throws Exception {
        ConfigFixture f = new ConfigFixture(dir, Map.of("WEB_BIND", "127.0.0.1:7000", "FULCRUM_ADMIN_TOKEN", "t0k"));
        f.write("conf.d/pools.conf", """
                fulcrum.pools.web {
                  backends = [ { address = "127.0.0.1:9001" }, { address = "127.0.0.1:9002", weight = 5 } ]
                }
                """);
        Path main = f.write("main.conf", """
                include "conf.d/pools.conf"
                fulcrum {
                  listeners = [ { name = web, bind = "127.0.0.1:8080", bind = ${?WEB_BIND}, routes = [ { pool = web } ] } ]
                  admin.token = ${?FULCRUM_ADMIN_TOKEN}
                  admin.state-file = ${?UNSET_STATE_FILE}
                }
                """);
        FulcrumConfig c = ConfigLoader.load(main, Map.of("WEB_BIND", "127.0.0.1:7000", "FULCRUM_ADMIN_TOKEN", "t0k"));

        assertEquals(new HostPort("127.0.0.1", 7000), c.listeners().get(0).bind());
        assertEquals(Optional.of("t0k"), c.admin().token());
        assertEquals(dir.resolve("fulcrum-state.json"), c.admin().stateFile(), "an unset ${?VAR} leaves the default");
        assertEquals(List.of(new BackendConfig(new HostPort("127.0.0.1", 9001), 100),
                new BackendConfig(new HostPort("127.0.0.1", 9002), 5)), c.pools().get("web").backends());

        FulcrumConfig withoutEnv = ConfigLoader.load(main, Map.of());
        assertEquals(new HostPort("127.0.0.1", 8080), withoutEnv.listeners().get(0).bind());
        assertEquals(Optional.empty(), withoutEnv.admin().token());
    }

    @Test
    void parsesConfigTextWithAName() throws Exception {
        FulcrumConfig c = ConfigLoader.parse("inline.conf", ConfigFixture.base("", ""), dir, Map.of());
        assertEquals(dir.resolve("inline.conf"), c.source());
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> ConfigLoader.parse("inline.conf", "fulcrum {\n  threads = -1\n}\n", dir, Map.of()));
        assertEquals(List.of("inline.conf:2: fulcrum.threads: must be 0..4096, got -1"), e.errors());
    }

    @Test
    void aMissingFileIsOneClearError() {
        Path missing = dir.resolve("nope.conf");
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(missing, Map.of()));
        assertEquals(List.of(missing + ": no such config file"), e.errors());
        assertTrue(e.getMessage().contains("nope.conf"));
    }
}
