package io.fulcrum.proxy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every rule on listeners, routes and TLS, each asserting the exact FILE:LINE message. */
class ListenerValidationTest {

    @TempDir
    Path dir;
    ConfigFixture f;

    @BeforeEach
    void setUp() {
        f = new ConfigFixture(dir, Map.of());
    }

    @Test
    void namesAndBinds() {
        String file = f.path("f.conf");
        f.assertErrors("""
                fulcrum {
                  listeners = [
                    { name = web, bind = "127.0.0.1:8080", routes = [ { pool = web } ] }
                    { name = web, bind = "127.0.0.1:8081", routes = [ { pool = web } ] }
                    { name = other, bind = "127.0.0.1:8080", routes = [ { pool = web } ] }
                    { name = any, bind = "0.0.0.0:8081", routes = [ { pool = web } ] }
                    { name = free1, bind = "127.0.0.1:0", routes = [ { pool = web } ] }
                    { name = free2, bind = "127.0.0.1:0", routes = [ { pool = web } ] }
                    { name = "bad name", bind = "127.0.0.1:8082", routes = [ { pool = web } ] }
                    { name = nobind, bind = "127.0.0.1", routes = [ { pool = web } ] }
                    { routes = [ { pool = web } ] }
                  ]
                  pools { web {} }
                }
                """,
                "4: fulcrum.listeners[1].name: duplicate listener name 'web' (first at " + file + ":3)",
                "5: fulcrum.listeners[2].bind: 127.0.0.1:8080 is already bound by listener 'web' (" + file + ":3)",
                "6: fulcrum.listeners[3].bind: 0.0.0.0:8081 is already bound by listener 'web' (" + file + ":4)",
                "9: fulcrum.listeners[6].name: must be 1..64 letters, digits, '-' or '_', starting with a letter or digit, got 'bad name'",
                "10: fulcrum.listeners[7].bind: address '127.0.0.1' is not host:port",
                "11: fulcrum.listeners[8].name: required",
                "11: fulcrum.listeners[8].bind: required");
    }

    @Test
    void aListenerOnTheAdminAddressClashesWithTheBuiltInDefault() throws IOException {
        int line = lineOf("reference.conf", "bind = \"127.0.0.1:9090\"");
        // The admin bind is reported where it is set: here, by default, in reference.conf.
        assertEquals(List.of("default (reference.conf:" + line + "): fulcrum.admin.bind: 127.0.0.1:9090 is already "
                        + "bound by listener 'web' (" + f.path("f.conf") + ":2)"),
                f.errors("""
                        fulcrum {
                          listeners = [ { name = web, bind = "127.0.0.1:9090", routes = [ { pool = web } ] } ]
                          pools { web {} }
                        }
                        """));
    }

    @Test
    void routes() {
        f.assertErrors("""
                fulcrum {
                  listeners = [
                    {
                      name = a
                      bind = "127.0.0.1:8080"
                      routes = [
                        { path-prefix = "api", pool = web }
                        { host = "example.com:8080", pool = web }
                        { pool = api }
                        { path-prefix = "/" }
                        { host = "", pool = web }
                        { host = "Example.COM", path-prefix = "/", pool = www, weight = 1 }
                      ]
                    }
                    { name = b, bind = "127.0.0.1:8081", routes = [] }
                    { name = c, bind = "127.0.0.1:8082" }
                  ]
                  pools { web {}, www {} }
                }
                """,
                "7: fulcrum.listeners[0].routes[0].path-prefix: must start with \"/\", got 'api'",
                "8: fulcrum.listeners[0].routes[1].host: write the host without a port (the Host header's port is ignored), got 'example.com:8080'",
                "9: fulcrum.listeners[0].routes[2].pool: no pool named 'api' (pools: web, www)",
                "10: fulcrum.listeners[0].routes[3].pool: required",
                "11: fulcrum.listeners[0].routes[4].host: must not be empty (leave it out to match every host)",
                "12: fulcrum.listeners[0].routes[5].weight: unknown key",
                "15: fulcrum.listeners[1].routes: a listener needs at least one route, such as { path-prefix = \"/\", pool = web }",
                "16: fulcrum.listeners[2].routes: a listener needs at least one route, such as { path-prefix = \"/\", pool = web }");
    }

    @Test
    void routesToAMissingPoolWhenThereAreNone() {
        f.assertErrors("""
                fulcrum {
                  listeners = [ { name = web, bind = "127.0.0.1:8080", routes = [ { pool = web } ] } ]
                }
                """,
                "2: fulcrum.listeners[0].routes[0].pool: no pool named 'web' (no pools are defined)");
    }

    @Test
    void tls() throws Exception {
        copyTestCertificates();
        String tls = dir.resolve("tls").toString();
        f.assertErrors("""
                fulcrum {
                  listeners = [
                    {
                      name = tls
                      bind = "127.0.0.1:8443"
                      tls {
                        certificates = [
                          { cert = "tls/www.example.com.crt", key = "tls/missing.key" }
                          { cert = "tls/www.example.com.key", key = "tls/www.example.com.crt" }
                          { cert = "tls/www.example.com.crt", passphrase = x }
                        ]
                        protocols = [TLSv1.1, TLSv1.3]
                        alpn = [h2, "spdy/3"]
                        ciphers = [x]
                      }
                      routes = [ { pool = web } ]
                    }
                    { name = empty-tls, bind = "127.0.0.1:8444", tls { certificates = [], protocols = [] }, routes = [ { pool = web } ] }
                    { name = no-certs, bind = "127.0.0.1:8445", tls {}, routes = [ { pool = web } ] }
                  ]
                  pools { web {} }
                }
                """,
                "8: fulcrum.listeners[0].tls.certificates[0].key: file not found: " + tls + "/missing.key",
                "9: fulcrum.listeners[0].tls.certificates[1].cert: " + tls + "/www.example.com.key does not hold a PEM "
                        + "certificate (no '-----BEGIN CERTIFICATE-----' line)",
                "9: fulcrum.listeners[0].tls.certificates[1].key: " + tls + "/www.example.com.crt does not hold a PEM "
                        + "private key (no 'PRIVATE KEY-----' line)",
                "10: fulcrum.listeners[0].tls.certificates[2].passphrase: unknown key",
                "10: fulcrum.listeners[0].tls.certificates[2].key: required",
                "12: fulcrum.listeners[0].tls.protocols: unknown 'TLSv1.1'; valid: TLSv1.2, TLSv1.3",
                "13: fulcrum.listeners[0].tls.alpn: unknown 'spdy/3'; valid: h2, http/1.1",
                "14: fulcrum.listeners[0].tls.ciphers: unknown key",
                "18: fulcrum.listeners[1].tls.certificates: needs at least one { cert = ..., key = ... }",
                "18: fulcrum.listeners[1].tls.protocols: must name at least one of TLSv1.2, TLSv1.3",
                "19: fulcrum.listeners[2].tls.certificates: needs at least one { cert = ..., key = ... }");
    }

    private void copyTestCertificates() throws IOException, URISyntaxException {
        Path tls = Files.createDirectories(dir.resolve("tls"));
        for (String name : List.of("www.example.com.crt", "www.example.com.key")) {
            Files.copy(Path.of(getClass().getResource("/config/tls/" + name).toURI()), tls.resolve(name));
        }
    }

    static int lineOf(String resource, String text) throws IOException {
        try (var in = ListenerValidationTest.class.getClassLoader().getResourceAsStream(resource)) {
            List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).contains(text)) {
                    return i + 1;
                }
            }
        }
        throw new AssertionError(text + " not in " + resource);
    }
}
