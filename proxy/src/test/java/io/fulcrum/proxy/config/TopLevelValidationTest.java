package io.fulcrum.proxy.config;

import static io.fulcrum.proxy.config.ConfigFixture.base;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rules on admin, threads, timeouts, limits and the access log (top lines start at line 14). */
class TopLevelValidationTest {

    @TempDir
    Path dir;
    ConfigFixture f;

    @BeforeEach
    void setUp() {
        f = new ConfigFixture(dir, Map.of());
    }

    @Test
    void threads() {
        f.assertErrors(base("", "  threads = -1\n"), "14: fulcrum.threads: must be 0..4096, got -1");
        f.assertErrors(base("", "  threads = many\n"), "14: fulcrum.threads: expected a whole number, got 'many'");
        f.assertErrors(base("", "  thread = 4\n"), "14: fulcrum.thread: unknown key; did you mean 'threads'?");
    }

    @Test
    void timeouts() {
        f.assertErrors(base("", "  timeouts { client-header = 0s, client-idle = -5s, shutdown-grace = -1s, idle = 1s }\n"),
                "14: fulcrum.timeouts.idle: unknown key",
                "14: fulcrum.timeouts.client-header: must be above zero, got '0s'",
                "14: fulcrum.timeouts.client-idle: must be above zero, got '-5s'",
                "14: fulcrum.timeouts.shutdown-grace: must not be negative, got '-1s'");
    }

    @Test
    void limits() {
        f.assertErrors(base("", """
                  limits {
                    max-header-bytes = 0
                    max-connections = 0
                    max-request-body-bytes = -1
                    max-uri-bytes = big
                  }
                """),
                "15: fulcrum.limits.max-header-bytes: must be at least 1, got 0",
                "16: fulcrum.limits.max-connections: must be at least 1, got 0",
                "17: fulcrum.limits.max-request-body-bytes: must be at least 0, got -1",
                "18: fulcrum.limits.max-uri-bytes: expected a size in bytes such as 16384 or 16k, got 'big'");
    }

    @Test
    void accessLogFormat() {
        f.assertErrors(base("", "  access-log { path = access.log, format = xml }\n"),
                "14: fulcrum.access-log.format: must be json or combined, got 'xml'");
    }

    @Test
    void tokenAndTokenFileAreExclusive() throws Exception {
        Files.writeString(dir.resolve("t.txt"), "abc");
        f.assertErrors(base("", """
                  admin {
                    token = abc
                    token-file = t.txt
                  }
                """),
                "16: fulcrum.admin.token-file: token and token-file are exclusive: set one of them");
    }

    @Test
    void tokenFileIsReadAtLoad() throws Exception {
        f.assertErrors(base("", "  admin.token-file = missing.token\n"),
                "14: fulcrum.admin.token-file: file not found: " + dir.resolve("missing.token"));
        Files.writeString(dir.resolve("empty.token"), " \n");
        f.assertErrors(base("", "  admin.token-file = empty.token\n"),
                "14: fulcrum.admin.token-file: " + dir.resolve("empty.token") + " is empty");
        Files.createDirectories(dir.resolve("folder.token"));
        f.assertErrors(base("", "  admin.token-file = folder.token\n"),
                "14: fulcrum.admin.token-file: not a regular file: " + dir.resolve("folder.token"));
    }

    @Test
    void emptyTokenIsRefused() {
        f.assertErrors(base("", "  admin.token = \"\"\n"),
                "14: fulcrum.admin.token: must not be empty (leave token out for no token)");
    }

    @Test
    void adminBindAndStateFile() {
        f.assertErrors(base("", "  admin { bind = \"localhost\", state-file = \"\", port = 9090 }\n"),
                "14: fulcrum.admin.port: unknown key",
                "14: fulcrum.admin.bind: address 'localhost' is not host:port",
                "14: fulcrum.admin.state-file: must not be empty");
    }

    @Test
    void wrongShapesAtTheTop() {
        f.assertErrors("""
                fulcrum {
                  listeners = 5
                  pools = []
                  admin = yes
                  limits = [1]
                }
                """,
                "2: fulcrum.listeners: expected a list [ ... ], got 5",
                "3: fulcrum.pools: expected an object { name { ... } }, got []",
                "4: fulcrum.admin: expected an object { ... }, got 'yes'",
                "5: fulcrum.limits: expected an object { ... }, got [1]");
        f.assertErrors("fulcrum = 5\n", "1: fulcrum: expected an object { ... }, got 5");
    }
}
