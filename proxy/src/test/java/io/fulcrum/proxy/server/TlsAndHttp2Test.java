package io.fulcrum.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fulcrum.proxy.config.FulcrumConfig;
import io.fulcrum.proxy.config.HostPort;
import io.fulcrum.proxy.config.ListenerConfig;
import io.fulcrum.proxy.config.RouteConfig;
import io.fulcrum.proxy.config.TlsConfig;
import io.fulcrum.proxy.daemon.Daemon;
import io.fulcrum.proxy.testing.TestCertificates;
import io.fulcrum.proxy.testing.TestBackend;
import io.fulcrum.proxy.testing.TestConfigs;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** TLS termination with certificates chosen by SNI, and HTTP/2 by ALPN, on real sockets (SPEC section 6). */
class TlsAndHttp2Test {

    private static final Path TLS = TestCertificates.DIR;
    private TestBackend backend;
    private Daemon daemon;
    private int port;
    private SSLContext trusting;

    @BeforeEach
    void setUp() throws Exception {
        start(TestConfigs.defaultTimeouts());
    }

    private void start(io.fulcrum.proxy.config.TimeoutsConfig timeouts) throws Exception {
        if (daemon != null) {
            daemon.close();
            backend.close();
        }
        backend = new TestBackend("a");
        TlsConfig tls = new TlsConfig(List.of(
                new TlsConfig.Certificate(TLS.resolve("www.example.com.crt"), TLS.resolve("www.example.com.key")),
                new TlsConfig.Certificate(TLS.resolve("api.example.com.crt"), TLS.resolve("api.example.com.key"))),
                List.of("TLSv1.3", "TLSv1.2"), List.of("h2", "http/1.1"));
        FulcrumConfig plain = TestConfigs.simple(List.of(backend.address()), 0);
        ListenerConfig https = new ListenerConfig("web", new HostPort("127.0.0.1", 0), Optional.of(tls),
                List.of(new RouteConfig(Optional.empty(), "/", "web")));
        daemon = Daemon.start(new FulcrumConfig(plain.source(), List.of(https), plain.pools(), plain.admin(),
                plain.threads(), timeouts, plain.limits(), plain.accessLog()));
        port = daemon.listenerAddress("web").getPort();
        trusting = TestCertificates.trusting("www.example.com", "api.example.com");
    }

    @AfterEach
    void tearDown() {
        daemon.close();
        backend.close();
    }


    /** One HTTP/1.1 request over TLS with the given SNI name (null: none); returns [certificate CN, answer]. */
    private String[] http1(String sni) throws Exception {
        // A fresh context each time, so no TLS session is resumed from an earlier connection.
        try (SSLSocket s = (SSLSocket) TestCertificates.trusting("www.example.com", "api.example.com").getSocketFactory().createSocket("127.0.0.1", port)) {
            SSLParameters params = s.getSSLParameters();
            if (sni != null) {
                params.setServerNames(List.of(new SNIHostName(sni)));
            }
            params.setApplicationProtocols(new String[] {"http/1.1"});
            s.setSSLParameters(params);
            s.setSoTimeout(10_000);
            s.startHandshake();
            String cn = ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
            s.getOutputStream().write("GET /x HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            s.getInputStream().transferTo(out);
            return new String[] {cn, out.toString(StandardCharsets.ISO_8859_1)};
        }
    }

    @Test
    void certificateIsChosenBySni() throws Exception {
        String[] api = http1("api.example.com");
        assertEquals("CN=api.example.com", api[0]);
        assertTrue(api[1].startsWith("HTTP/1.1 200") && api[1].endsWith("a"), api[1]);
        assertEquals("CN=www.example.com", http1("www.example.com")[0]);
        // No SNI, or a name no certificate has: the first certificate.
        assertEquals("CN=www.example.com", http1(null)[0]);
        assertEquals("CN=www.example.com", http1("other.example.org")[0]);
        assertEquals("https", backend.requests().get(0).header("x-forwarded-proto"));
    }

    @Test
    void anIdleHttp2ConnectionIsClosedAfterClientIdle() throws Exception {
        start(new io.fulcrum.proxy.config.TimeoutsConfig(Duration.ofSeconds(10), Duration.ofMillis(300),
                Duration.ofSeconds(5)));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(trusting).build();
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + "/x"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(HttpClient.Version.HTTP_2, r.version());
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        while (daemon.server().clients().count() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(0, daemon.server().clients().count(), "the idle HTTP/2 connection was closed");
    }

    @Test
    void http2StreamsAreForwardedAsHttp11Requests() throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(trusting)
                .connectTimeout(Duration.ofSeconds(5)).build();
        URI base = URI.create("https://127.0.0.1:" + port);
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            answers.add(client.sendAsync(HttpRequest.newBuilder(base.resolve("/x" + i)).timeout(Duration.ofSeconds(10))
                    .build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> f : answers) {
            HttpResponse<String> r = f.get();
            assertEquals(200, r.statusCode());
            assertEquals(HttpClient.Version.HTTP_2, r.version());
            assertEquals("a", r.body());
        }
        byte[] body = new byte[1 << 20];
        HttpResponse<String> upload = client.send(HttpRequest.newBuilder(base.resolve("/upload"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(Integer.toString(body.length), upload.body());
        HttpResponse<String> big = client.send(HttpRequest.newBuilder(base.resolve("/bytes/3000000")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(3_000_000, big.body().length());
        TestBackend.Seen seen = backend.requests().get(0);
        assertEquals("https", seen.header("x-forwarded-proto"));
        assertNull(seen.header("x-http2-stream-id"));
        assertTrue(seen.header("host").startsWith("127.0.0.1"), seen.headers().toString());
        assertEquals(22, backend.requestCount());
    }

    /**
     * Keep-alive HTTP/1.1 over TLS: every request on one connection is answered, whether its head comes in
     * one TLS record, in several with pauses between them (records that leave the head incomplete), or
     * together with the next request. Each answer needs the socket read armed again after the one before.
     */
    @Test
    void keptAliveTlsConnectionsAreReadAgainAfterEveryRequestHoweverTheHeadComes() throws Exception {
        try (SSLSocket s = (SSLSocket) trusting.getSocketFactory().createSocket("127.0.0.1", port)) {
            SSLParameters params = s.getSSLParameters();
            params.setApplicationProtocols(new String[] {"http/1.1"});
            s.setSSLParameters(params);
            s.setSoTimeout(10_000);
            s.startHandshake();
            var out = s.getOutputStream();
            var in = new java.io.BufferedInputStream(s.getInputStream());
            for (int i = 0; i < 5; i++) {
                out.write(("GET /whole" + i + " HTTP/1.1\r\nHost: h\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertTrue(readResponse(in).startsWith("HTTP/1.1 200"), "whole head " + i);
            }
            for (int i = 0; i < 3; i++) {
                for (String piece : new String[] {"GET /pie", "ces" + i + " HTTP/1.1\r\nHo", "st: h\r\n", "\r\n"}) {
                    out.write(piece.getBytes(StandardCharsets.US_ASCII));      // one TLS record per write
                    out.flush();
                    Thread.sleep(20);
                }
                assertTrue(readResponse(in).startsWith("HTTP/1.1 200"), "head in pieces " + i);
            }
            out.write("GET /p1 HTTP/1.1\r\nHost: h\r\n\r\nGET /p2 HTTP/1.1\r\nHost: h\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertTrue(readResponse(in).startsWith("HTTP/1.1 200"), "first of a pipelined pair");
            assertTrue(readResponse(in).startsWith("HTTP/1.1 200"), "second of a pipelined pair");
            out.write("GET /last HTTP/1.1\r\nHost: h\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertTrue(readResponse(in).startsWith("HTTP/1.1 200"), "after the pair");
        }
        List<String> paths = new ArrayList<>();
        for (TestBackend.Seen seen : backend.requests()) {
            paths.add(seen.uri());
        }
        assertEquals(List.of("/whole0", "/whole1", "/whole2", "/whole3", "/whole4", "/pieces0", "/pieces1",
                "/pieces2", "/p1", "/p2", "/last"), paths);
    }

    /** One response with a Content-Length body, head and body, as text. */
    private static String readResponse(java.io.InputStream in) throws java.io.IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new java.io.EOFException("connection closed after: " + head);
            }
            head.append((char) b);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        byte[] body = in.readNBytes(length);
        return head + new String(body, StandardCharsets.ISO_8859_1);
    }
}
