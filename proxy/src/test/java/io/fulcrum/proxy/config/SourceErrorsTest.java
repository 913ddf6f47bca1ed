package io.fulcrum.proxy.config;

import static io.fulcrum.proxy.config.ConfigFixture.base;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Problems in how the config is written: syntax, root keys, includes, substitutions, several at once. */
class SourceErrorsTest {

    @TempDir
    Path dir;

    @Test
    void syntaxErrorGivesFileAndLine() {
        ConfigFixture f = new ConfigFixture(dir, Map.of());
        f.assertErrors("""
                fulcrum {
                  threads = 2
                  pools { web { backends = [ { address = "127.0.0.1:9001" ] } }
                }
                """,
                "3: syntax error: Expecting close brace } or a comma, got ']' (if you intended ']' to be part of a key "
                        + "or string value, try enclosing the key or value in double quotes, or you may be able to rename "
                        + "the file .properties rather than .conf)");
    }

    @Test
    void onlyTheFulcrumRootIsAllowed() {
        ConfigFixture f = new ConfigFixture(dir, Map.of());
        f.assertErrors("fulcrm {\n  threads = 1\n}\n",
                "1: fulcrm: unknown key; everything goes under the fulcrum { ... } root; did you mean 'fulcrum'?");
    }

    @Test
    void everyProblemIsReportedAtOnceInFileOrder() {
        ConfigFixture f = new ConfigFixture(dir, Map.of());
        f.assertErrors("""
                fulcrum {
                  listeners = [
                    { name = web, bind = "127.0.0.1:80800", routes = [ { pool = api } ] }
                  ]
                  pools {
                    web {
                      strategy = fastest
                      backends = [ { address = "127.0.0.1:9001", weight = 0 } ]
                      health { timeout = 1s, intervl = 2s }
                    }
                  }
                  threads = -1
                  access-log.format = xml
                }
                """,
                "3: fulcrum.listeners[0].bind: address '127.0.0.1:80800': port must be 0..65535",
                "3: fulcrum.listeners[0].routes[0].pool: no pool named 'api' (pools: web)",
                "7: fulcrum.pools.web.strategy: unknown strategy 'fastest'; valid: round-robin, weighted-round-robin, "
                        + "least-connections, power-of-two, peak-ewma, consistent-hash, random, dynamic",
                "8: fulcrum.pools.web.backends[0].weight: must be 1..1000, got 0",
                "9: fulcrum.pools.web.health.intervl: unknown key; did you mean 'interval'?",
                "12: fulcrum.threads: must be 0..4096, got -1",
                "13: fulcrum.access-log.format: must be json or combined, got 'xml'");
    }

    @Test
    void problemsInAnIncludedFileNameThatFile() throws Exception {
        ConfigFixture f = new ConfigFixture(dir, Map.of());
        f.write("conf.d/pools.conf", """
                fulcrum.pools.web {
                  backends = [
                    { address = "127.0.0.1:9001", weight = 0 }
                  ]
                }
                """);
        Path main = f.write("main.conf", """
                include "conf.d/pools.conf"
                fulcrum {
                  listeners = [ { name = web, bind = "127.0.0.1:8080", routes = [ { pool = web } ] } ]
                  threads = -3
                }
                """);
        InvalidConfigException e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(main, Map.of()));
        assertEquals(List.of(
                dir.resolve("conf.d/pools.conf") + ":3: fulcrum.pools.web.backends[0].weight: must be 1..1000, got 0",
                main + ":4: fulcrum.threads: must be 0..4096, got -3"), e.errors());
    }

    @Test
    void aRequiredIncludeThatIsMissingIsAnError() {
        ConfigFixture f = new ConfigFixture(dir, Map.of());
        List<String> errors = f.errors("include required(\"missing.conf\")\n" + base("", ""));
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).startsWith(f.path("f.conf") + ": cannot read an included file: "), errors.get(0));
        assertTrue(errors.get(0).contains("missing.conf"), errors.get(0));
    }

    @Test
    void anIncludeInsideTheRootMergesThere() throws Exception {
        ConfigFixture f = new ConfigFixture(dir, Map.of());
        f.write("threads.conf", "threads = 3\n");
        assertEquals(3, f.load(base("", "  include \"threads.conf\"\n")).threads());
    }

    @Test
    void aBadValueFromTheEnvironmentNamesTheVariable() {
        ConfigFixture f = new ConfigFixture(dir, Map.of("WEB_BIND", "nope", "THREADS", "2"));
        String text = base("", "  threads = ${?THREADS}\n").replace("bind = \"127.0.0.1:8080\"", "bind = ${?WEB_BIND}");
        assertEquals(List.of("environment variable WEB_BIND: fulcrum.listeners[0].bind: address 'nope' is not host:port"),
                f.errors(text));
    }

    @Test
    void aRequiredSubstitutionThatIsMissingGivesItsLine() {
        ConfigFixture f = new ConfigFixture(dir, Map.of());
        f.assertErrors(base("", "  threads = ${THREADS}\n"),
                "14: substitution: Could not resolve substitution to a value: ${THREADS}");
    }
}
