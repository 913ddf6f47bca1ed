package io.fulcrum.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.fulcrum.proxy.http1.RequestHead;
import io.fulcrum.proxy.http1.RequestParser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link ForwardingHeaders#forwardHead}: the exact head a backend gets for a client's request. */
class ForwardHeadTest {

    /** The head as the client connection's parser reads it. */
    private static RequestHead parse(String text) {
        EmbeddedChannel ch = new EmbeddedChannel(new RequestParser(8192 + 64, 65536, () -> { }));
        try {
            ch.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
            RequestHead head = assertInstanceOf(RequestHead.class, ch.readInbound());
            assertNull(head.problem(), text);
            return head;
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    private static String forward(String request, String clientIp, String proto, String requestId, String upgrade) {
        RequestHead head = parse(request);
        try {
            ByteBuf out = ForwardingHeaders.forwardHead(ByteBufAllocator.DEFAULT, head, clientIp, proto,
                    head.first(RequestHead.Kind.HOST), requestId, upgrade);
            try {
                return out.toString(StandardCharsets.ISO_8859_1);
            } finally {
                out.release();
            }
        } finally {
            head.release();
        }
    }

    @Test
    void hopByHopExpectAndClientForwardingHeadersAreReplaced() {
        String request = "POST /submit?x=1 HTTP/1.1\r\n"
                + "Host: shop.example:8080\r\n"
                + "Connection: keep-alive, X-Secret, Host, Content-Length\r\n"
                + "X-Secret: s\r\n"
                + "Keep-Alive: timeout=5\r\n"
                + "Proxy-Connection: keep-alive\r\n"
                + "TE: trailers\r\n"
                + "Trailer: X-T\r\n"
                + "Upgrade: h2c\r\n"
                + "Proxy-Authorization: Basic eA==\r\n"
                + "Expect: 100-continue\r\n"
                + "X-Forwarded-For: 10.0.0.1, 10.0.0.2\r\n"
                + "X-Forwarded-For: 10.0.0.3\r\n"
                + "X-Forwarded-Proto: https\r\n"
                + "X-Forwarded-Host: spoofed.example\r\n"
                + "Forwarded: for=10.0.0.1;proto=https\r\n"
                + "Forwarded: for=10.0.0.3\r\n"
                + "Content-Length: 3\r\n"
                + "cookie: a=1\r\n"
                + "User-Agent:ua/1\r\n"
                + "\r\n";
        assertEquals("POST /submit?x=1 HTTP/1.1\r\n"
                + "Host: shop.example:8080\r\n"
                + "Content-Length: 3\r\n"
                + "cookie: a=1\r\n"
                + "User-Agent: ua/1\r\n"
                + "x-forwarded-for: 10.0.0.1, 10.0.0.2, 127.0.0.1\r\n"
                + "x-forwarded-proto: http\r\n"
                + "x-forwarded-host: shop.example:8080\r\n"
                + "forwarded: for=10.0.0.1;proto=https, for=127.0.0.1;proto=http;host=\"shop.example:8080\"\r\n"
                + "x-request-id: 0123abcd\r\n"
                + "\r\n", forward(request, "127.0.0.1", "http", "0123abcd", null));
    }

    @Test
    void aPlainRequestGainsTheForwardingHeaders() {
        assertEquals("GET / HTTP/1.1\r\n"
                + "Host: example.com\r\n"
                + "x-forwarded-for: 192.0.2.7\r\n"
                + "x-forwarded-proto: https\r\n"
                + "x-forwarded-host: example.com\r\n"
                + "forwarded: for=192.0.2.7;proto=https;host=example.com\r\n"
                + "x-request-id: id-1\r\n"
                + "\r\n", forward("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n", "192.0.2.7", "https", "id-1", null));
    }

    @Test
    void anIpv6ClientIsQuotedAndBracketedInForwarded() {
        assertEquals("GET / HTTP/1.1\r\n"
                + "Host: [::1]:8443\r\n"
                + "x-forwarded-for: ::1\r\n"
                + "x-forwarded-proto: https\r\n"
                + "x-forwarded-host: [::1]:8443\r\n"
                + "forwarded: for=\"[::1]\";proto=https;host=\"[::1]:8443\"\r\n"
                + "x-request-id: r\r\n"
                + "\r\n", forward("GET / HTTP/1.1\r\nHost: [::1]:8443\r\n\r\n", "::1", "https", "r", null));
        assertEquals("0:0:0:0:0:0:0:1", ForwardingHeaders.ip(new InetSocketAddress("::1", 80)));
        assertEquals("127.0.0.1", ForwardingHeaders.ip(new InetSocketAddress("127.0.0.1", 80)));
        assertEquals("unknown", ForwardingHeaders.ip(InetSocketAddress.createUnresolved("h.example", 80)));
        assertEquals("unknown", ForwardingHeaders.ip(null));
    }

    @Test
    void forwardedQuotesAHostThatIsNotAToken() {
        assertEquals("for=10.0.0.9;proto=http;host=plain.example-1_~",
                ForwardingHeaders.forwarded(null, "10.0.0.9", "http", "plain.example-1_~"));
        assertEquals("for=10.0.0.9;proto=http;host=\"h:80\"", ForwardingHeaders.forwarded(null, "10.0.0.9", "http", "h:80"));
        assertEquals("for=10.0.0.9;proto=http;host=\"a\\\"b\\\\c\"",
                ForwardingHeaders.forwarded(null, "10.0.0.9", "http", "a\"b\\c"));
        assertEquals("for=10.0.0.9;proto=http;host=\"\"", ForwardingHeaders.forwarded(null, "10.0.0.9", "http", ""));
        assertEquals("by=x, for=10.0.0.9;proto=http", ForwardingHeaders.forwarded("by=x", "10.0.0.9", "http", null));
    }

    @Test
    void withoutAHostNoForwardedHostIsSent() {
        assertEquals("GET /old HTTP/1.0\r\n"
                + "x-forwarded-for: 10.1.1.1\r\n"
                + "x-forwarded-proto: http\r\n"
                + "forwarded: for=10.1.1.1;proto=http\r\n"
                + "x-request-id: q\r\n"
                + "\r\n", forward("GET /old HTTP/1.0\r\n\r\n", "10.1.1.1", "http", "q", null));
    }

    @Test
    void aClientRequestIdIsKeptInPlaceAndNoneAdded() {
        assertEquals("GET / HTTP/1.1\r\n"
                + "Host: h\r\n"
                + "X-Request-Id: from-client\r\n"
                + "Accept: */*\r\n"
                + "x-forwarded-for: 127.0.0.1\r\n"
                + "x-forwarded-proto: http\r\n"
                + "x-forwarded-host: h\r\n"
                + "forwarded: for=127.0.0.1;proto=http;host=h\r\n"
                + "\r\n", forward("GET / HTTP/1.1\r\nHost: h\r\nX-Request-Id: from-client\r\nAccept: */*\r\n\r\n",
                "127.0.0.1", "http", null, null));
    }

    @Test
    void anUpgradeAsksTheBackendForIt() {
        assertEquals("GET /ws HTTP/1.1\r\n"
                + "Host: h\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n"
                + "x-forwarded-for: 127.0.0.1\r\n"
                + "x-forwarded-proto: http\r\n"
                + "x-forwarded-host: h\r\n"
                + "forwarded: for=127.0.0.1;proto=http;host=h\r\n"
                + "x-request-id: u\r\n"
                + "upgrade: websocket\r\n"
                + "connection: upgrade\r\n"
                + "\r\n", forward("GET /ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
                "127.0.0.1", "http", "u", "websocket"));
    }

    @Test
    void nonCanonicalLinesAreNormalised() {
        assertEquals("GET / HTTP/1.1\r\n"
                + "Host: h\r\n"
                + "X-A: a\r\n"
                + "X-B: b\r\n"
                + "X-C: c c\r\n"
                + "x-d: d\r\n"
                + "X-E: \r\n"
                + "x-forwarded-for: 127.0.0.1\r\n"
                + "x-forwarded-proto: http\r\n"
                + "x-forwarded-host: h\r\n"
                + "forwarded: for=127.0.0.1;proto=http;host=h\r\n"
                + "x-request-id: n\r\n"
                + "\r\n", forward("GET / HTTP/1.1\r\nHost:h\r\nX-A:a\r\nX-B:\t b \t\r\nX-C:   c c\r\nx-d: d\r\nX-E:\r\n\r\n",
                "127.0.0.1", "http", "n", null));
    }

    @Test
    void moreThanSixtyFourHeaders() {
        StringBuilder request = new StringBuilder("GET /many HTTP/1.1\r\nHost: h\r\n");
        StringBuilder kept = new StringBuilder("GET /many HTTP/1.1\r\nHost: h\r\n");
        for (int i = 1; i < 140; i++) {
            if (i == 70) {
                request.append("X-Forwarded-For: 10.9.9.9\r\n");
            } else if (i == 71) {
                request.append("Expect: 100-continue\r\n");
            } else if (i == 100) {
                request.append("Forwarded: for=10.9.9.9\r\n");
            } else if (i == 101) {
                request.append("Keep-Alive: 1\r\n");
            } else if (i == 130) {
                request.append("X-Forwarded-Proto: https\r\n");
            } else {
                // Every third line not canonical ("Name:value"): the backend gets "Name: value" all the same.
                request.append("X-H").append(i).append(i % 3 == 0 ? ":v" : ": v").append(i).append("\r\n");
                kept.append("X-H").append(i).append(": v").append(i).append("\r\n");
            }
        }
        request.append("\r\n");
        kept.append("x-forwarded-for: 10.9.9.9, 127.0.0.1\r\n"
                + "x-forwarded-proto: http\r\n"
                + "x-forwarded-host: h\r\n"
                + "forwarded: for=10.9.9.9, for=127.0.0.1;proto=http;host=h\r\n"
                + "x-request-id: m\r\n"
                + "\r\n");
        assertEquals(kept.toString(), forward(request.toString(), "127.0.0.1", "http", "m", null));
    }

    @Test
    void theParsedHeadIsUntouchedByForwarding() {
        RequestHead head = parse("GET / HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 1.1.1.1\r\n\r\n");
        try {
            for (int i = 0; i < 2; i++) {
                ByteBuf out = ForwardingHeaders.forwardHead(ByteBufAllocator.DEFAULT, head, "127.0.0.1", "http", "h", "x", null);
                try {
                    assertEquals("GET / HTTP/1.1\r\nHost: h\r\nx-forwarded-for: 1.1.1.1, 127.0.0.1\r\n"
                            + "x-forwarded-proto: http\r\nx-forwarded-host: h\r\nforwarded: for=127.0.0.1;proto=http;host=h\r\n"
                            + "x-request-id: x\r\n\r\n", out.toString(StandardCharsets.ISO_8859_1));
                } finally {
                    ReferenceCountUtil.release(out);
                }
            }
            assertEquals("1.1.1.1", head.first(RequestHead.Kind.X_FORWARDED_FOR));
        } finally {
            head.release();
        }
    }
}
