package io.fulcrum.proxy.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fulcrum.proxy.config.FulcrumConfig;
import io.fulcrum.proxy.config.HostPort;
import io.fulcrum.proxy.config.ListenerConfig;
import io.fulcrum.proxy.config.RouteConfig;
import io.fulcrum.proxy.config.TlsConfig;
import io.fulcrum.proxy.daemon.Daemon;
import io.fulcrum.proxy.testing.TestCertificates;
import io.fulcrum.proxy.testing.RawHttp;
import io.fulcrum.proxy.testing.TestConfigs;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client-side request path on real loopback sockets, through the real daemon: what the backend
 * receives, byte for byte, for bodies framed either way, raw bytes in the target, pipelining, and
 * HTTP/2 requests written out as HTTP/1.1.
 */
class RequestPathTest {

    private static final Path TLS = TestCertificates.DIR;

    private RawBackend backend;
    private Daemon daemon;

    @AfterEach
    void tearDown() throws IOException {
        if (daemon != null) {
            daemon.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    private InetSocketAddress startPlain() throws IOException {
        backend = new RawBackend();
        daemon = Daemon.start(TestConfigs.simple(List.of(backend.address()), 0));
        return daemon.listenerAddress("web");
    }

    private int startTls() throws IOException {
        backend = new RawBackend();
        TlsConfig tls = new TlsConfig(List.of(
                new TlsConfig.Certificate(TLS.resolve("www.example.com.crt"), TLS.resolve("www.example.com.key"))),
                List.of("TLSv1.3", "TLSv1.2"), List.of("h2", "http/1.1"));
        FulcrumConfig plain = TestConfigs.simple(List.of(backend.address()), 0);
        ListenerConfig https = new ListenerConfig("web", new HostPort("127.0.0.1", 0), Optional.of(tls),
                List.of(new RouteConfig(Optional.empty(), "/", "web")));
        daemon = Daemon.start(new FulcrumConfig(plain.source(), List.of(https), plain.pools(), plain.admin(),
                plain.threads(), plain.timeouts(), plain.limits(), plain.accessLog()));
        return daemon.listenerAddress("web").getPort();
    }

    private static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** What the raw backend answers: the target it saw, and the body's length and CRC-32. */
    private static String summary(String uri, byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data);
        return "uri=" + uri + ";len=" + data.length + ";crc=" + Long.toHexString(crc.getValue());
    }

    private static String bodyOf(String response) {
        assertNotNull(response, "no response");
        assertTrue(response.startsWith("HTTP/1.1 200"), response);
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }

    // ---------------------------------------------------------------- HTTP/1.1

    @Test
    void aChunkedPostReachesTheBackendWithItsFramingIntact() throws Exception {
        InetSocketAddress proxy = startPlain();
        String chunked = "5;name=value\r\nhello\r\n"
                + "6 ; x=\"y\"\r\n world\r\n"
                + "1a\r\n" + "abcdefghijklmnopqrstuvwxyz" + "\r\n"
                + "7\r\n\r\n0\r\n\r\n\r\n"                 // data that looks like the end of the body
                + "0;end\r\nX-Checksum: 123\r\nX-Other: 2\r\n\r\n";
        byte[] data = ("hello world" + "abcdefghijklmnopqrstuvwxyz" + "\r\n0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        try (RawHttp raw = new RawHttp(proxy)) {
            raw.send("POST /upload?chunked HTTP/1.1\r\nHost: up.example\r\nTransfer-Encoding: chunked\r\n\r\n");
            // The body in pieces that cut its framing anywhere.
            raw.send(chunked.substring(0, 3)).send(chunked.substring(3, 25)).send(chunked.substring(25, 60))
                    .send(chunked.substring(60));
            assertEquals(summary("/upload?chunked", data), bodyOf(raw.readResponse()));
        }
        Seen seen = backend.next();
        assertEquals("POST /upload?chunked HTTP/1.1", seen.requestLine());
        assertEquals("chunked", seen.header("transfer-encoding"));
        assertNull(seen.header("content-length"));
        assertEquals("up.example", seen.header("host"));
        assertEquals(chunked, latin1(seen.framed()));
        assertArrayEquals(data, seen.data());
    }

    @Test
    void aContentLengthPostReachesTheBackendByteForByte() throws Exception {
        InetSocketAddress proxy = startPlain();
        byte[] body = new byte[300_000];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 31 + i / 256);
        }
        String text = latin1(body);
        try (RawHttp raw = new RawHttp(proxy)) {
            raw.send("PUT /blob HTTP/1.1\r\nHost: h\r\nContent-Length: " + body.length + "\r\n\r\n");
            for (int from = 0; from < body.length; from += 70_001) {
                raw.send(text.substring(from, Math.min(body.length, from + 70_001)));
            }
            assertEquals(summary("/blob", body), bodyOf(raw.readResponse()));
            // The connection carries another request afterwards: the body ended where the client said.
            raw.send("POST /small HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc");
            assertEquals(summary("/small", "abc".getBytes(StandardCharsets.US_ASCII)), bodyOf(raw.readResponse()));
        }
        Seen first = backend.next();
        assertEquals(Integer.toString(body.length), first.header("content-length"));
        assertNull(first.header("transfer-encoding"));
        assertArrayEquals(body, first.framed());
        assertEquals("abc", latin1(backend.next().framed()));
    }

    @Test
    void rawBytesInTheTargetReachTheBackendUnchanged() throws Exception {
        InetSocketAddress proxy = startPlain();
        // Latin-1 é, the UTF-8 bytes of é, 0xff and 0x80, sent raw (not percent-encoded).
        String target = "/caf\u00e9/\u00c3\u00a9?q=\u00ff\u0080&r=%20";
        try (RawHttp raw = new RawHttp(proxy)) {
            raw.send("GET " + target + " HTTP/1.1\r\nHost: h\r\n\r\n");
            assertEquals(summary(target, new byte[0]), bodyOf(raw.readResponse()));
        }
        Seen seen = backend.next();
        assertArrayEquals(("GET " + target + " HTTP/1.1").getBytes(StandardCharsets.ISO_8859_1),
                seen.requestLine().getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void pipelinedRequestsOnOneConnectionAreAnsweredInOrder() throws Exception {
        InetSocketAddress proxy = startPlain();
        String chunked = "3\r\nabc\r\n0\r\n\r\n";
        try (RawHttp raw = new RawHttp(proxy)) {
            raw.send("GET /p1 HTTP/1.1\r\nHost: h\r\n\r\n"
                    + "POST /p2 HTTP/1.1\r\nHost: h\r\nContent-Length: 18\r\n\r\nGET /p9 HTTP/1.1\r\n"
                    + "POST /p3 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked
                    + "\r\n"
                    + "GET /p4 HTTP/1.1\r\nHost: h\r\nX-Last: yes\r\n\r\n"
                    + "DELETE /p5 HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
            assertEquals(summary("/p1", new byte[0]), bodyOf(raw.readResponse()));
            assertEquals(summary("/p2", "GET /p9 HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII)), bodyOf(raw.readResponse()));
            assertEquals(summary("/p3", "abc".getBytes(StandardCharsets.US_ASCII)), bodyOf(raw.readResponse()));
            assertEquals(summary("/p4", new byte[0]), bodyOf(raw.readResponse()));
            assertEquals(summary("/p5", new byte[0]), bodyOf(raw.readResponse()));
        }
        assertEquals("GET /p1 HTTP/1.1", backend.next().requestLine());
        Seen p2 = backend.next();
        assertEquals("POST /p2 HTTP/1.1", p2.requestLine());
        assertEquals("GET /p9 HTTP/1.1\r\n", latin1(p2.framed()));
        Seen p3 = backend.next();
        assertEquals("POST /p3 HTTP/1.1", p3.requestLine());
        assertEquals(chunked, latin1(p3.framed()));
        Seen p4 = backend.next();
        assertEquals("GET /p4 HTTP/1.1", p4.requestLine());
        assertEquals("yes", p4.header("x-last"));
        assertEquals("DELETE /p5 HTTP/1.1", backend.next().requestLine());
        assertEquals(0, backend.pending(), "no request the client did not send");
    }

    @Test
    void aHeadWithBareLineFeedsIsAnswered400NotWaitedFor() throws Exception {
        InetSocketAddress proxy = startPlain();
        try (RawHttp raw = new RawHttp(proxy)) {
            // Never a CRLF CRLF: waiting for the head's end would end in 408 after client-header, not 400.
            String answer = raw.send("GET /lf HTTP/1.1\nHost: h\n\n").readResponse();
            assertNotNull(answer);
            assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
            assertTrue(raw.isClosedByPeer());
        }
        assertEquals(0, backend.pending(), "a malformed head never reaches the backend");
    }

    // ---------------------------------------------------------------- HTTP/2

    @Test
    void http2BodiesReachTheBackendWithAndWithoutContentLength() throws Exception {
        int port = startTls();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(TestCertificates.trusting("www.example.com"))
                .connectTimeout(Duration.ofSeconds(5)).build();
        URI base = URI.create("https://127.0.0.1:" + port);
        byte[] body = new byte[100_000];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i % 251);
        }

        // No content-length (a stream of unknown length): the backend gets it chunked.
        HttpResponse<String> streamed = client.send(HttpRequest.newBuilder(base.resolve("/h2/streamed"))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.ISO_8859_1));
        assertEquals(HttpClient.Version.HTTP_2, streamed.version());
        assertEquals(200, streamed.statusCode());
        assertEquals(summary("/h2/streamed", body), streamed.body());
        Seen chunked = backend.next();
        assertEquals("POST /h2/streamed HTTP/1.1", chunked.requestLine());
        assertEquals("chunked", chunked.header("transfer-encoding"));
        assertNull(chunked.header("content-length"));
        assertArrayEquals(body, chunked.data());
        assertNull(chunked.header("x-http2-stream-id"));
        assertEquals("https", chunked.header("x-forwarded-proto"));

        // With content-length: the body as it came.
        HttpResponse<String> sized = client.send(HttpRequest.newBuilder(base.resolve("/h2/sized"))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.ISO_8859_1));
        assertEquals(HttpClient.Version.HTTP_2, sized.version());
        assertEquals(summary("/h2/sized", body), sized.body());
        Seen length = backend.next();
        assertEquals("POST /h2/sized HTTP/1.1", length.requestLine());
        assertEquals(Integer.toString(body.length), length.header("content-length"));
        assertNull(length.header("transfer-encoding"));
        assertArrayEquals(body, length.framed());

        // A small one with content-length, and an empty POST.
        HttpResponse<String> small = client.send(HttpRequest.newBuilder(base.resolve("/h2/small"))
                .POST(HttpRequest.BodyPublishers.ofString("x=1")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(summary("/h2/small", "x=1".getBytes(StandardCharsets.US_ASCII)), small.body());
        assertEquals("x=1", latin1(backend.next().data()));
        HttpResponse<String> empty = client.send(HttpRequest.newBuilder(base.resolve("/h2/empty"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(summary("/h2/empty", new byte[0]), empty.body());
        assertEquals(0, backend.next().data().length);
        assertEquals(0, backend.pending());
    }


    // ---------------------------------------------------------------- a backend that keeps the raw bytes

    /**
     * A request as it arrived at the backend: the request line, the header lines, the body exactly as
     * framed on the wire, and the body's data (chunked framing taken off).
     */
    private record Seen(String requestLine, Map<String, String> headers, byte[] framed, byte[] data) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /**
     * An HTTP/1.1 backend on a plain socket at 127.0.0.1: reads each request strictly (CRLF line ends,
     * one framing), records its raw bytes, and answers 200 with {@link #summary} of it, keeping the
     * connection. A request it cannot read closes the connection and is recorded as a failure.
     */
    private static final class RawBackend implements AutoCloseable {
        private final ServerSocket server;
        private final BlockingQueue<Object> seen = new LinkedBlockingQueue<>();
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();
        private final Thread acceptor;

        RawBackend() throws IOException {
            server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
            acceptor = new Thread(this::accept, "raw-backend-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String address() {
            return "127.0.0.1:" + server.getLocalPort();
        }

        /** The next request the backend read; fails on one it could not read. */
        Seen next() throws InterruptedException {
            Object o = seen.poll(10, TimeUnit.SECONDS);
            assertNotNull(o, "the backend received no request");
            if (o instanceof Throwable t) {
                throw new AssertionError("the backend could not read a request", t);
            }
            return (Seen) o;
        }

        int pending() {
            return seen.size();
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    sockets.add(s);
                    Thread t = new Thread(() -> serve(s), "raw-backend-conn");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket s) {
            try (s) {
                s.setSoTimeout(15_000);
                InputStream in = new BufferedInputStream(s.getInputStream());
                OutputStream out = s.getOutputStream();
                while (true) {
                    String head = readHead(in);
                    if (head == null) {
                        return;
                    }
                    String[] lines = head.split("\r\n", -1);
                    Map<String, String> headers = new LinkedHashMap<>();
                    for (int i = 1; i < lines.length - 2; i++) {
                        int colon = lines[i].indexOf(':');
                        if (colon <= 0 || lines[i].charAt(colon - 1) == ' ') {
                            throw new IOException("malformed header line: " + lines[i]);
                        }
                        String name = lines[i].substring(0, colon).toLowerCase(Locale.ROOT);
                        if (headers.put(name, lines[i].substring(colon + 1).strip()) != null) {
                            throw new IOException("header sent twice: " + name);
                        }
                    }
                    ByteArrayOutputStream framed = new ByteArrayOutputStream();
                    ByteArrayOutputStream data = new ByteArrayOutputStream();
                    String te = headers.get("transfer-encoding");
                    String cl = headers.get("content-length");
                    if (te != null && cl != null) {
                        throw new IOException("both Transfer-Encoding and Content-Length");
                    }
                    if (te != null) {
                        if (!te.equalsIgnoreCase("chunked")) {
                            throw new IOException("Transfer-Encoding " + te);
                        }
                        readChunked(in, framed, data);
                    } else if (cl != null) {
                        byte[] body = in.readNBytes(Integer.parseInt(cl));
                        if (body.length != Integer.parseInt(cl)) {
                            throw new IOException("body ended early");
                        }
                        framed.writeBytes(body);
                        data.writeBytes(body);
                    }
                    String requestLine = lines[0];
                    seen.add(new Seen(requestLine, headers, framed.toByteArray(), data.toByteArray()));
                    String uri = requestLine.substring(requestLine.indexOf(' ') + 1, requestLine.lastIndexOf(' '));
                    byte[] answer = summary(uri, data.toByteArray()).getBytes(StandardCharsets.ISO_8859_1);
                    out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + answer.length + "\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.write(answer);
                    out.flush();
                }
            } catch (IOException | RuntimeException e) {
                if (!server.isClosed()) {
                    seen.add(e);
                }
            }
        }

        /** The head up to and including its blank line, CRLF line ends only; null at a clean EOF. */
        private static String readHead(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (true) {
                String line = readLine(in, head.size() == 0);
                if (line == null) {
                    return null;
                }
                head.writeBytes((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                if (line.isEmpty()) {
                    return head.toString(StandardCharsets.ISO_8859_1);
                }
            }
        }

        /** One line without its CRLF; a bare LF or CR is an error; null at EOF before any byte when allowed. */
        private static String readLine(InputStream in, boolean eofAllowed) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            while (true) {
                int b = in.read();
                if (b < 0) {
                    if (eofAllowed && line.size() == 0) {
                        return null;
                    }
                    throw new IOException("EOF inside a line");
                }
                if (b == '\n') {
                    throw new IOException("bare LF");
                }
                if (b == '\r') {
                    if (in.read() != '\n') {
                        throw new IOException("bare CR");
                    }
                    return line.toString(StandardCharsets.ISO_8859_1);
                }
                line.write(b);
            }
        }

        private static void readChunked(InputStream in, ByteArrayOutputStream framed, ByteArrayOutputStream data)
                throws IOException {
            while (true) {
                String sizeLine = readLine(in, false);
                framed.writeBytes((sizeLine + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                int end = 0;
                while (end < sizeLine.length() && Character.digit(sizeLine.charAt(end), 16) >= 0) {
                    end++;
                }
                if (end == 0) {
                    throw new IOException("malformed chunk size: " + sizeLine);
                }
                int size = Integer.parseInt(sizeLine.substring(0, end), 16);
                if (size == 0) {
                    while (true) {
                        String trailer = readLine(in, false);
                        framed.writeBytes((trailer + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                        if (trailer.isEmpty()) {
                            return;
                        }
                    }
                }
                byte[] chunk = in.readNBytes(size);
                if (chunk.length != size) {
                    throw new IOException("chunk ended early");
                }
                framed.writeBytes(chunk);
                data.writeBytes(chunk);
                if (!readLine(in, false).isEmpty()) {
                    throw new IOException("chunk data longer than its size");
                }
                framed.writeBytes(new byte[] {'\r', '\n'});
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
