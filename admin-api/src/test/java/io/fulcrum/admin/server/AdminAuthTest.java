package io.fulcrum.admin.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fulcrum.admin.state.StateStore;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bearer-token auth on every path but /healthz, and the refusals at start. */
class AdminAuthTest {

    @TempDir
    Path dir;

    private InMemoryAdminService service() {
        return new InMemoryAdminService(new StateStore(dir.resolve("state.json")));
    }

    @Test
    void everyPathButHealthzNeedsTheToken() {
        try (AdminServer server = AdminServer.start(new InetSocketAddress("127.0.0.1", 0), Optional.of("right"), service())) {
            AdminHttp http = new AdminHttp(server.localAddress(), "right");
            for (String path : new String[] {"/api/v1/status", "/api/v1/pools", "/metrics", "/api/v1/pools/web", "/no/such/path"}) {
                HttpResponse<String> missing = http.send("GET", path, null, null);
                assertEquals(401, missing.statusCode(), path);
                assertEquals("Bearer realm=\"fulcrum-admin\"", missing.headers().firstValue("www-authenticate").orElseThrow(), path);
                assertEquals("unauthorized", AdminHttp.json(missing).get("error").asText());
                assertEquals(401, http.send("GET", path, null, "wrong").statusCode(), path);
                assertEquals(401, http.send("GET", path, null, "righ").statusCode(), path);
                assertEquals(401, http.send("GET", path, null, "right2").statusCode(), path);
            }
            assertEquals(401, http.send("POST", "/api/v1/reload", null, null).statusCode());
            assertEquals(401, http.send("DELETE", "/api/v1/pools/web/backends/127.0.0.1:9001", null, null).statusCode());
            assertEquals(401, http.send("PATCH", "/api/v1/pools/web/backends/127.0.0.1:9001", "{\"weight\":1}", null).statusCode());

            assertEquals(200, http.get("/api/v1/status").statusCode());
            assertEquals(200, http.get("/metrics").statusCode());
            assertEquals(404, http.get("/no/such/path").statusCode(), "past auth, an unknown path is a 404");
            assertEquals(200, http.send("GET", "/healthz", null, null).statusCode());
            assertEquals(200, http.send("GET", "/healthz", null, "wrong").statusCode());
        }
    }

    @Test
    void withoutATokenLoopbackIsOpen() {
        try (AdminServer server = AdminServer.start(new InetSocketAddress("127.0.0.1", 0), Optional.empty(), service())) {
            assertEquals(200, new AdminHttp(server.localAddress(), null).get("/api/v1/status").statusCode());
        }
    }

    @Test
    void refusesANonLoopbackBindWithoutAToken() {
        AdminStartException e = assertThrows(AdminStartException.class,
                () -> AdminServer.start(new InetSocketAddress("0.0.0.0", 0), Optional.empty(), service()));
        assertTrue(e.getMessage().contains("0.0.0.0:0"), e.getMessage());
        assertTrue(e.getMessage().contains("without a token"), e.getMessage());
        assertThrows(AdminStartException.class,
                () -> AdminServer.start(new InetSocketAddress("0.0.0.0", 0), Optional.of("  "), service()),
                "a blank token is no token");
    }

    @Test
    void loopbackCheck() {
        assertTrue(AdminServer.isLoopback(new InetSocketAddress("127.0.0.1", 9090)));
        assertTrue(AdminServer.isLoopback(new InetSocketAddress("::1", 9090)));
        assertTrue(AdminServer.isLoopback(InetSocketAddress.createUnresolved("localhost", 9090)));
        assertTrue(!AdminServer.isLoopback(new InetSocketAddress("0.0.0.0", 9090)));
        assertTrue(!AdminServer.isLoopback(new InetSocketAddress("10.1.2.3", 9090)));
    }

    @Test
    void aBusyPortIsAClearStartError() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            InetSocketAddress bind = new InetSocketAddress("127.0.0.1", taken.getLocalPort());
            // SO_REUSEADDR does not let two listeners share a port on Linux.
            AdminStartException e = assertThrows(AdminStartException.class,
                    () -> AdminServer.start(bind, Optional.of("t"), service()));
            assertTrue(e.getMessage().startsWith("cannot bind the admin API to 127.0.0.1:" + taken.getLocalPort()), e.getMessage());
        }
    }
}
