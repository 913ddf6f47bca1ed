package io.fulcrum.proxy.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fulcrum.proxy.daemon.Daemon;
import io.fulcrum.proxy.testing.RawHttp;
import io.fulcrum.proxy.testing.TestConfigs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A small Content-Length body travels to the client in its head's buffer when it came with the head;
 * the head must still go out, whole and first, when the body comes later or in parts, and a body over
 * the limit is written on its own. A raw-socket backend answers each path its own way, so the reads
 * Fulcrum sees differ: head and body together, head then body, body in two parts. A head that needs
 * no change goes to the client as it came, its own bytes with the body in one write (a backend's
 * Connection: keep-alive cut out where it stands), and one that does is written again.
 */
class SmallBodyCoalescingTest {

    private ServerSocket backend;
    private Thread serving;
    private Daemon daemon;

    @BeforeEach
    void setUp() throws Exception {
        backend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        serving = new Thread(this::serve, "raw-backend");
        serving.setDaemon(true);
        serving.start();
        daemon = Daemon.start(TestConfigs.simple(List.of("127.0.0.1:" + backend.getLocalPort()), 0));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        backend.close();
        serving.join(5_000);
    }

    private void serve() {
        while (!backend.isClosed()) {
            try (Socket s = backend.accept()) {
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                String head;
                while ((head = readHead(in)) != null) {
                    answer(head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1)), out);
                }
            } catch (IOException | InterruptedException e) {
                // The test closed the socket, or the proxy closed a connection: take the next one.
            }
        }
    }

    private static void answer(String path, OutputStream out) throws IOException, InterruptedException {
        String body = switch (path) {
            case "/limit" -> "L".repeat(2048);
            case "/over" -> "O".repeat(2049);
            default -> "hello";
        };
        String head = switch (path) {
            // NGINX's way: a Connection: keep-alive, hop-by-hop, which the proxy cuts out in place.
            case "/keep" -> "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: keep-alive\r\nX-Path: /keep\r\n\r\n";
            // A line the proxy writes again in its own form.
            case "/loose" -> "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Path:/loose\r\n\r\n";
            default -> "HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\nX-Path: " + path + "\r\n\r\n";
        };
        switch (path) {
            case "/split" -> {
                write(out, head);
                // The proxy most likely reads the head alone; either way the answer must be the same.
                Thread.sleep(30);
                write(out, body);
            }
            case "/parts" -> {
                write(out, head + body.substring(0, 2));
                Thread.sleep(30);
                write(out, body.substring(2));
            }
            default -> write(out, head + body);
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            byte[] h = head.toByteArray();
            int n = h.length;
            if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r' && h[n - 1] == '\n') {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    private static String expected(String path, String body) {
        return "HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\nX-Path: " + path + "\r\n\r\n" + body;
    }

    @Test
    void aHeadGoesAsItCameOnlyWhenNothingInItNeedsAChange() throws Exception {
        try (RawHttp raw = new RawHttp(daemon.listenerAddress("web"))) {
            for (int round = 0; round < 2; round++) {
                assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Path: /keep\r\n\r\nhello",
                        raw.send("GET /keep HTTP/1.1\r\nHost: h\r\n\r\n").readResponse(),
                        "kept client connection: the backend's hop-by-hop Connection is cut out, round " + round);
                assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Path: /loose\r\n\r\nhello",
                        raw.send("GET /loose HTTP/1.1\r\nHost: h\r\n\r\n").readResponse(), "round " + round);
            }
            assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Path: /keep\r\nconnection: close\r\n\r\nhello",
                    raw.send("GET /keep HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n").readResponse(),
                    "a client connection that ends: the proxy's own Connection: close, not the backend's keep-alive");
        }
        try (RawHttp raw = new RawHttp(daemon.listenerAddress("web"))) {
            String over = "O".repeat(2049);
            assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 2049\r\nX-Path: /over\r\nconnection: close\r\n\r\n" + over,
                    raw.send("GET /over HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n").readResponse(),
                    "a head written again, and a body over the limit in a write of its own");
        }
        try (RawHttp raw = new RawHttp(daemon.listenerAddress("web"))) {
            assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Path: /keep\r\nconnection: keep-alive\r\n\r\nhello",
                    raw.send("GET /keep HTTP/1.0\r\nHost: h\r\nConnection: keep-alive\r\n\r\n").readResponse(),
                    "an HTTP/1.0 client is told in the proxy's own words");
        }
    }

    @Test
    void everyWayTheBodyArrivesGivesTheSameAnswerOnOneKeepAliveConnection() throws Exception {
        try (RawHttp raw = new RawHttp(daemon.listenerAddress("web"))) {
            for (int round = 0; round < 3; round++) {
                for (String path : List.of("/one", "/split", "/parts", "/limit", "/over")) {
                    String body = switch (path) {
                        case "/limit" -> "L".repeat(2048);
                        case "/over" -> "O".repeat(2049);
                        default -> "hello";
                    };
                    String answer = raw.send("GET " + path + " HTTP/1.1\r\nHost: h\r\n\r\n").readResponse();
                    assertEquals(expected(path, body), answer, path + ", round " + round);
                }
            }
        }
    }
}
