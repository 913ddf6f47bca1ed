package io.fulcrum.proxy.config;

import static io.fulcrum.proxy.config.ConfigFixture.base;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every rule on a pool, each asserting the exact FILE:LINE message (pool lines start at line 12). */
class PoolValidationTest {

    @TempDir
    Path dir;
    ConfigFixture f;

    @BeforeEach
    void setUp() {
        f = new ConfigFixture(dir, Map.of());
    }

    @Test
    void unknownStrategyListsTheValidNames() {
        f.assertErrors(base("      strategy = fastest\n", ""),
                "12: fulcrum.pools.web.strategy: unknown strategy 'fastest'; valid: round-robin, weighted-round-robin, "
                        + "least-connections, power-of-two, peak-ewma, consistent-hash, random, dynamic");
    }

    @Test
    void unknownKeysAtEveryDepthWithASuggestion() {
        f.assertErrors(base("""
                      health { intervall = 2s }
                      backends = [ { address = "127.0.0.1:9001", wieght = 5 } ]
                      retires = 3
                      colour = blue
                """, ""),
                "12: fulcrum.pools.web.health.intervall: unknown key; did you mean 'interval'?",
                "13: fulcrum.pools.web.backends[0].wieght: unknown key; did you mean 'weight'?",
                "14: fulcrum.pools.web.retires: unknown key; did you mean 'retries'?",
                "15: fulcrum.pools.web.colour: unknown key");
    }

    @Test
    void weightMustBeOneToAThousand() {
        f.assertErrors(base("      backends = [ { address = \"127.0.0.1:9001\", weight = 0 }, { address = \"127.0.0.1:9002\", weight = 1001 } ]\n", ""),
                "12: fulcrum.pools.web.backends[0].weight: must be 1..1000, got 0",
                "12: fulcrum.pools.web.backends[1].weight: must be 1..1000, got 1001");
    }

    @Test
    void backendAddressesAreHostPortWithARealPort() {
        f.assertErrors(base("""
                      backends = [
                        { address = "127.0.0.1" }
                        { address = "127.0.0.1:0" }
                        { weight = 5 }
                        "127.0.0.1:9003"
                      ]
                """, ""),
                "13: fulcrum.pools.web.backends[0].address: address '127.0.0.1' is not host:port",
                "14: fulcrum.pools.web.backends[1].address: port must be 1..65535, got '127.0.0.1:0'",
                "15: fulcrum.pools.web.backends[2].address: required",
                "16: fulcrum.pools.web.backends[3]: expected an object { ... }, got '127.0.0.1:9003'");
    }

    @Test
    void duplicateBackendAddressInAPool() {
        f.assertErrors(base("""
                      backends = [
                        { address = "127.0.0.1:9001" }
                        { address = "127.0.0.1:9001", weight = 3 }
                      ]
                """, ""),
                "14: fulcrum.pools.web.backends[1].address: duplicate backend 127.0.0.1:9001 in this pool (first at "
                        + f.path("f.conf") + ":13)");
    }

    @Test
    void durationsMustBePositiveWhereItMatters() {
        f.assertErrors(base("""
                      connect-timeout = 0s
                      slow-start = -1s
                      response-timeout = fast
                      health { interval = 0ms, timeout = 1s, rise = 0, fall = 0 }
                      queue-timeout = 0s
                """, ""),
                "12: fulcrum.pools.web.connect-timeout: must be above zero, got '0s'",
                "13: fulcrum.pools.web.slow-start: must not be negative, got '-1s'",
                "14: fulcrum.pools.web.response-timeout: expected a duration such as 2s or 500ms, got 'fast'",
                "15: fulcrum.pools.web.health.interval: must be above zero, got '0ms'",
                "15: fulcrum.pools.web.health.rise: must be at least 1, got 0",
                "15: fulcrum.pools.web.health.fall: must be at least 1, got 0",
                "16: fulcrum.pools.web.queue-timeout: must be above zero, got '0s'");
    }

    @Test
    void healthTypeAndPath() {
        f.assertErrors(base("      health { type = udp, path = healthz, agent-port = 70000 }\n", ""),
                "12: fulcrum.pools.web.health.type: must be http, tcp or none, got 'udp'",
                "12: fulcrum.pools.web.health.path: must start with \"/\", got 'healthz'",
                "12: fulcrum.pools.web.health.agent-port: must be 0..65535, got 70000");
        f.assertErrors(base("      health { path = \"/health z\" }\n", ""),
                "12: fulcrum.pools.web.health.path: must be printable ASCII without spaces (percent-encode the"
                        + " rest), got '/health z'");
    }

    @Test
    void hashKeySyntax() {
        f.assertErrors(base("      strategy = consistent-hash\n      hash-key = \"header:\"\n", ""),
                "13: fulcrum.pools.web.hash-key: 'header:': header name '' is not a valid name");
        f.assertErrors(base("      strategy = consistent-hash\n      hash-key = cookie\n", ""),
                "13: fulcrum.pools.web.hash-key: 'cookie' is not one of header:NAME, cookie:NAME, client-ip or path");
        f.assertErrors(base("      strategy = consistent-hash\n      hash-key = \"query:id\"\n", ""),
                "13: fulcrum.pools.web.hash-key: 'query:id' is not one of header:NAME, cookie:NAME, client-ip or path");
    }

    @Test
    void hashKeyOnAnotherStrategyDoesNothingSoItIsRefused() {
        f.assertErrors(base("      hash-key = path\n", ""),
                "12: fulcrum.pools.web.hash-key: only strategy consistent-hash uses a hash-key (this pool's strategy is dynamic)");
    }

    @Test
    void outlierEjectionTimes() {
        f.assertErrors(base("      outlier { base-ejection-time = 30s, max-ejection-time = 10s, consecutive-failures = -1 }\n", ""),
                "12: fulcrum.pools.web.outlier.consecutive-failures: must be at least 0, got -1",
                "12: fulcrum.pools.web.outlier.max-ejection-time: must be at least base-ejection-time ('30s'), got '10s'");
    }

    @Test
    void countsAndSizes() {
        f.assertErrors(base("""
                      max-queue = -1
                      retry-buffer-bytes = lots
                      retries = 1.5
                      max-connections-per-backend = -2
                """, ""),
                "12: fulcrum.pools.web.max-queue: must be at least 0, got -1",
                "13: fulcrum.pools.web.retry-buffer-bytes: expected a size in bytes such as 16384 or 16k, got 'lots'",
                "14: fulcrum.pools.web.retries: expected a whole number, got 1.5",
                "15: fulcrum.pools.web.max-connections-per-backend: must be at least 0, got -2");
    }

    @Test
    void poolNamesAreSafeInUrlsAndLabels() {
        f.assertErrors(base("", "  pools { \"my pool\" {} }\n"),
                "14: fulcrum.pools.\"my pool\": pool name must be 1..64 letters, digits, '-' or '_', starting with a "
                        + "letter or digit, got 'my pool'");
    }

    @Test
    void wrongShapes() {
        f.assertErrors(base("      health = 3\n      backends = { address = \"127.0.0.1:9001\" }\n", ""),
                "12: fulcrum.pools.web.health: expected an object { ... }, got 3",
                "13: fulcrum.pools.web.backends: expected a list [ ... ], got {\"address\":\"127.0.0.1:9001\"}");
    }
}
