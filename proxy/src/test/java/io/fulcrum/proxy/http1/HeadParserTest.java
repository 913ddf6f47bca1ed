package io.fulcrum.proxy.http1;

import static io.fulcrum.proxy.http1.ParserHarness.buf;
import static io.fulcrum.proxy.http1.ParserHarness.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link HeadParser} and what the {@link ResponseHead} it makes says about the head. */
class HeadParserTest {

    private final HeadParser parser = new HeadParser();

    private ResponseHead parse(String head) {
        return parse(head, false);
    }

    private ResponseHead parse(String head, boolean headRequest) {
        ByteBuf b = buf(head);
        try {
            return parser.parse(b, headRequest);
        } catch (RuntimeException e) {
            b.release();
            throw e;
        }
    }

    private static String name(ResponseHead h, int i) {
        return text(h.bytes().slice(h.nameStart(i), h.nameEnd(i) - h.nameStart(i)));
    }

    private static String value(ResponseHead h, int i) {
        return text(h.bytes().slice(h.valueStart(i), h.valueEnd(i) - h.valueStart(i)));
    }

    private static List<String> kept(ResponseHead h) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < h.headerCount(); i++) {
            if (!h.isDropped(i)) {
                out.add(name(h, i));
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- offsets

    @Test
    void namesValuesAndCanonicalLines() {
        ResponseHead h = parse("HTTP/1.1 200 OK\r\nA: 1\r\nBb:2\r\nC:   three  \r\nD:\r\nE: \r\nF:\tsix\r\n"
                + "G: seven\nH: eight \r\nI: nine, ten\r\n\r\n");
        try {
            assertEquals(9, h.headerCount());
            List<String> names = new ArrayList<>();
            List<String> values = new ArrayList<>();
            List<Boolean> canonical = new ArrayList<>();
            for (int i = 0; i < h.headerCount(); i++) {
                names.add(name(h, i));
                values.add(value(h, i));
                canonical.add(h.isCanonical(i));
                assertFalse(h.isDropped(i));
            }
            assertEquals(List.of("A", "Bb", "C", "D", "E", "F", "G", "H", "I"), names);
            assertEquals(List.of("1", "2", "three", "", "", "six", "seven", "eight", "nine, ten"), values,
                    "values without the whitespace around them");
            assertEquals(List.of(true, false, false, false, true, false, false, false, true), canonical,
                    "canonical: exactly \"name: value\" CRLF");
            assertEquals("OK", text(h.bytes().slice(h.reasonStart(), h.reasonEnd() - h.reasonStart())));
        } finally {
            h.release();
        }
    }

    @Test
    void statusLineVariants() {
        ResponseHead h = parse("HTTP/1.1 200\r\n\r\n");
        try {
            assertEquals(200, h.status());
            assertEquals(h.reasonStart(), h.reasonEnd(), "no reason");
            assertEquals(0, h.headerCount());
        } finally {
            h.release();
        }
        h = parse("HTTP/1.0 404 Not Found Here \u00e9\r\n\r\n");
        try {
            assertEquals(404, h.status());
            assertFalse(h.http11());
            assertEquals("Not Found Here \u00e9", text(h.bytes().slice(h.reasonStart(), h.reasonEnd() - h.reasonStart())));
        } finally {
            h.release();
        }
        h = parse("HTTP/1.1 599 \r\n\r\n");
        try {
            assertEquals(599, h.status());
            assertEquals(h.reasonStart(), h.reasonEnd(), "an empty reason");
        } finally {
            h.release();
        }
        h = parse("HTTP/1.1 200 OK\n\n");
        try {
            assertEquals(200, h.status());
            assertEquals(0, h.headerCount());
        } finally {
            h.release();
        }
    }

    @Test
    void parseErrorsAreResponseParseExceptions() {
        assertEquals("obsolete line folding",
                assertThrows(ResponseParseException.class, () -> parse("HTTP/1.1 200 OK\r\nA: 1\r\n b\r\n\r\n")).getMessage());
        assertEquals("malformed status line",
                assertThrows(ResponseParseException.class, () -> parse("HTTP/1.1 2000\r\n\r\n")).getMessage());
        // The parser is still good for the next head.
        ResponseHead h = parse("HTTP/1.1 200 OK\r\nA: 1\r\n\r\n");
        try {
            assertEquals("1", h.header("a"));
        } finally {
            h.release();
        }
    }

    // ---------------------------------------------------------------- hop-by-hop

    @Test
    void hopByHopHeadersAreDropped() {
        ResponseHead h = parse("HTTP/1.1 200 OK\r\n"
                + "Date: today\r\n"
                + "CONNECTION: keep-alive\r\n"
                + "Keep-Alive: timeout=5\r\n"
                + "Proxy-Connection: keep-alive\r\n"
                + "tE: trailers\r\n"
                + "Trailer: X-Sum\r\n"
                + "Upgrade: h2c\r\n"
                + "Proxy-Authenticate: Basic\r\n"
                + "proxy-authorization: Basic eA==\r\n"
                + "Transfer-Encoding: chunked\r\n"
                + "Content-Type: text/plain\r\n"
                + "Proxy-Authenticatee: not hop-by-hop\r\n"
                + "Tee: neither\r\n\r\n");
        try {
            assertEquals(List.of("Date", "Transfer-Encoding", "Content-Type", "Proxy-Authenticatee", "Tee"), kept(h));
        } finally {
            h.release();
        }
    }

    @Test
    void headersTheConnectionHeaderNamesAreDroppedButNotTheFramingOnes() {
        ResponseHead h = parse("HTTP/1.1 200 OK\r\n"
                + "X-A: 1\r\n"
                + "Connection: , x-a ,,X-B, content-length, Transfer-Encoding, upgrade, close\r\n"
                + "x-b: 2\r\n"
                + "X-C: 3\r\n"
                + "Content-Length: 4\r\n"
                + "Connection: X-c\r\n"
                + "X-AB: 4\r\n\r\n");
        try {
            assertEquals(List.of("Content-Length", "X-AB"), kept(h));
            assertEquals(BodyFraming.LENGTH, h.framing());
            assertEquals(4, h.contentLength());
            assertFalse(h.keepAlive(), "close was among the tokens");
        } finally {
            h.release();
        }
    }

    @Test
    void theSameContentLengthTwiceIsForwardedOnce() {
        ResponseHead h = parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\ncontent-length: 5, 5\r\n\r\n");
        try {
            assertEquals(List.of("Content-Length", "X-A"), kept(h));
            assertEquals(5, h.contentLength());
            assertEquals(BodyFraming.LENGTH, h.framing());
        } finally {
            h.release();
        }
    }

    @Test
    void contentLengthWithTransferEncodingIsDropped() {
        for (String head : List.of(
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\nX-A: b\r\n\r\n",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\nX-A: b\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\nX-A: b\r\n\r\n")) {
            ResponseHead h = parse(head);
            try {
                assertEquals(List.of("Transfer-Encoding", "X-A"), kept(h), head);
                assertEquals(BodyFraming.CHUNKED, h.framing(), head);
                assertEquals(-1, h.contentLength(), head);
                assertEquals("5", h.header("content-length"), "still readable: " + head);
            } finally {
                h.release();
            }
        }
        // Where no body follows (an answer to HEAD, a 304), the client still never sees both framings.
        ResponseHead none = parse("HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n");
        try {
            assertEquals(List.of("Transfer-Encoding"), kept(none));
            assertEquals(BodyFraming.NONE, none.framing());
            assertEquals(-1, none.contentLength());
        } finally {
            none.release();
        }
        ResponseHead h = parse("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: gzip\r\n\r\n");
        try {
            assertEquals(List.of("Transfer-Encoding"), kept(h), "not chunked: the length is dropped all the same");
            assertEquals(BodyFraming.CLOSE, h.framing());
            assertEquals(-1, h.contentLength());
        } finally {
            h.release();
        }
    }

    /** Dropped and canonical bits span several longs: 64 headers or more. */
    @Test
    void manyHeadersDroppedAndCanonicalBeyondTheFirst64() {
        int count = 200;
        List<Integer> hop = List.of(0, 63, 64, 65, 127, 128, 199);
        List<Integer> loose = List.of(1, 62, 64, 66, 128, 129, 190, 198);
        List<Integer> named = List.of(70, 150);
        StringBuilder sb = new StringBuilder("HTTP/1.1 200 OK\r\n");
        for (int i = 0; i < count; i++) {
            String name = hop.contains(i) ? "Keep-Alive" : named.contains(i) ? "X-Named-" + i : "X-H-" + i;
            if (i == 100) {
                name = "Connection";
                sb.append(name).append(": X-Named-70, x-named-150\r\n");
                continue;
            }
            sb.append(name).append(loose.contains(i) ? ":v" + i : ": v" + i).append("\r\n");
        }
        ResponseHead h = parse(sb.append("\r\n").toString());
        try {
            assertEquals(count, h.headerCount());
            for (int i = 0; i < count; i++) {
                boolean dropped = hop.contains(i) || named.contains(i) || i == 100;
                assertEquals(dropped, h.isDropped(i), "dropped " + i);
                assertEquals(!loose.contains(i), h.isCanonical(i), "canonical " + i);
                if (i != 100) {
                    assertEquals("v" + i, value(h, i), "value " + i);
                }
            }
        } finally {
            h.release();
        }
    }

    // ---------------------------------------------------------------- framing and keep-alive

    static Stream<Arguments> framings() {
        return Stream.of(
                Arguments.of("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", false, BodyFraming.LENGTH, 10L),
                Arguments.of("HTTP/1.1 200 OK\r\nContent-Length: 007\r\n\r\n", false, BodyFraming.LENGTH, 7L),
                Arguments.of("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", true, BodyFraming.NONE, null),
                Arguments.of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", false, BodyFraming.CHUNKED, -1L),
                Arguments.of("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n", false,
                        BodyFraming.CHUNKED, -1L),
                Arguments.of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n", false,
                        BodyFraming.CLOSE, -1L),
                Arguments.of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", true, BodyFraming.NONE, null),
                Arguments.of("HTTP/1.1 200 OK\r\n\r\n", false, BodyFraming.CLOSE, -1L),
                Arguments.of("HTTP/1.1 100 Continue\r\n\r\n", false, BodyFraming.NONE, null),
                Arguments.of("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n", false, BodyFraming.NONE, null),
                Arguments.of("HTTP/1.1 103 Early Hints\r\nContent-Length: 5\r\n\r\n", false, BodyFraming.NONE, null),
                Arguments.of("HTTP/1.1 204 No Content\r\n\r\n", false, BodyFraming.NONE, null),
                Arguments.of("HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n", false, BodyFraming.NONE, null),
                Arguments.of("HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n", false, BodyFraming.NONE, null),
                Arguments.of("HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\n", false, BodyFraming.LENGTH, 3L));
    }

    @ParameterizedTest(name = "{0} HEAD={1}")
    @MethodSource("framings")
    void framing(String head, boolean headRequest, BodyFraming framing, Long contentLength) {
        ResponseHead h = parse(head, headRequest);
        try {
            assertEquals(framing, h.framing());
            if (contentLength != null) {
                assertEquals(contentLength, h.contentLength());
            }
        } finally {
            h.release();
        }
    }

    @Test
    void keepAliveTokensAreCaseInsensitiveAndListed() {
        Map<String, Boolean> heads = Map.of(
                "HTTP/1.0 200 OK\r\nConnection: KEEP-ALIVE\r\nContent-Length: 0\r\n\r\n", true,
                "HTTP/1.0 200 OK\r\nConnection: x-a, keep-alive\r\nContent-Length: 0\r\n\r\n", true,
                "HTTP/1.0 200 OK\r\nKeep-Alive: timeout=5\r\nContent-Length: 0\r\n\r\n", false,
                "HTTP/1.0 200 OK\r\nConnection: keep-alives\r\nContent-Length: 0\r\n\r\n", false,
                "HTTP/1.1 200 OK\r\nConnection: closed\r\nContent-Length: 0\r\n\r\n", true,
                "HTTP/1.1 200 OK\r\nConnection: upgrade, Close\r\nContent-Length: 0\r\n\r\n", false,
                "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n\r\n", false);
        heads.forEach((head, keepAlive) -> {
            ResponseHead h = parse(head);
            try {
                assertEquals(keepAlive, h.keepAlive(), head);
            } finally {
                h.release();
            }
        });
    }

    // ---------------------------------------------------------------- the parser's buffers

    @Test
    void aLargeHeadThenASmallOneWithTheSameParser() {
        String big = "HTTP/1.1 200 OK\r\nX-Big: " + "b".repeat(10_000) + "\r\nContent-Length: 1\r\n\r\n";
        ResponseHead first = parse(big);
        ResponseHead second = parse("HTTP/1.1 404 Nope\r\nX-Small: s\r\n\r\n");
        ResponseHead third = parse(big);
        try {
            assertEquals("b".repeat(10_000), first.header("x-big"));
            assertEquals(1, first.contentLength());
            assertEquals("s", second.header("x-small"));
            assertNull(second.header("x-big"), "nothing left of the head before");
            assertEquals(BodyFraming.CLOSE, second.framing());
            assertEquals("b".repeat(10_000), third.header("x-big"));
        } finally {
            first.release();
            second.release();
            third.release();
        }
    }

    @Test
    void theHeadsBytesAreReleasedWithIt() {
        ByteBuf b = buf("HTTP/1.1 200 OK\r\n\r\n");
        ResponseHead h = parser.parse(b, false);
        assertEquals(1, b.refCnt());
        h.retain();
        h.release();
        assertEquals(1, b.refCnt(), "one reference held for the head");
        assertTrue(h.release());
        assertEquals(0, b.refCnt());
    }

    // ---------------------------------------------------------------- header() and toHttpResponse()

    @Test
    void headerLookupIgnoresCaseAndGivesTheFirstValue() {
        ResponseHead h = parse("HTTP/1.1 200 OK\r\nContent-Type:  text/html  \r\nSet-Cookie: a=1\r\n"
                + "set-cookie: b=2\r\nX-Empty:\r\nConnection: close\r\nX-Obs: caf\u00e9\r\n\r\n");
        try {
            assertEquals("text/html", h.header("content-type"));
            assertEquals("text/html", h.header("CONTENT-TYPE"));
            assertEquals("text/html", h.header("Content-Type"));
            assertEquals("a=1", h.header("Set-Cookie"), "the first of two");
            assertEquals("", h.header("x-empty"));
            assertEquals("close", h.header("connection"), "hop-by-hop headers can be read too");
            assertEquals("caf\u00e9", h.header("x-obs"), "obs-text as ISO-8859-1");
            assertNull(h.header("content-length"));
            assertNull(h.header("content-typ"));
            assertNull(h.header("content-type2"));
            assertNull(h.header(""));
        } finally {
            h.release();
        }
    }

    @Test
    void toHttpResponseHasEveryHeaderAsItCame() {
        ResponseHead h = parse("HTTP/1.1 201 Created Here\r\nLocation: /x\r\nConnection: keep-alive, X-A\r\n"
                + "X-A: 1\r\nset-cookie: a=1\r\nSet-Cookie:b=2 \r\nContent-Length: 0\r\n\r\n");
        try {
            HttpResponse r = h.toHttpResponse(false);
            assertEquals(HttpVersion.HTTP_1_1, r.protocolVersion());
            assertEquals(201, r.status().code());
            assertEquals("Created Here", r.status().reasonPhrase());
            HttpHeaders headers = r.headers();
            List<String> lines = new ArrayList<>();
            headers.forEach(e -> lines.add(e.getKey() + "=" + e.getValue()));
            assertEquals(List.of("Location=/x", "Connection=keep-alive, X-A", "X-A=1", "set-cookie=a=1",
                    "Set-Cookie=b=2", "Content-Length=0"), lines, "in order, hop-by-hop ones included");
            assertEquals(List.of("a=1", "b=2"), headers.getAll("Set-Cookie"));
        } finally {
            h.release();
        }
    }

    /** What HTTP/2 clients get: the same lines an HTTP/1.1 client is sent, hop-by-hop ones left out. */
    @Test
    void toHttpResponseOfTheForwardedHeadersOnly() {
        ResponseHead h = parse("HTTP/1.1 200 OK\r\nLocation: /x\r\nConnection: keep-alive, X-A\r\n"
                + "X-A: 1\r\nKeep-Alive: timeout=5\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n"
                + "Set-Cookie: a=1\r\n\r\n");
        try {
            List<String> lines = new ArrayList<>();
            h.toHttpResponse(true).headers().forEach(e -> lines.add(e.getKey() + "=" + e.getValue()));
            assertEquals(List.of("Location=/x", "Transfer-Encoding=chunked", "Set-Cookie=a=1"), lines);
            assertEquals(kept(h), lines.stream().map(l -> l.substring(0, l.indexOf('='))).toList(),
                    "the same headers the HTTP/1.1 encoder forwards");
        } finally {
            h.release();
        }
    }

    @Test
    void toHttpResponseOfAnHttp10HeadWithoutAReason() {
        ResponseHead h = parse("HTTP/1.0 200\r\nServer: old\r\n\r\n");
        try {
            HttpResponse r = h.toHttpResponse(false);
            assertEquals(HttpVersion.HTTP_1_0, r.protocolVersion());
            assertEquals(200, r.status().code());
            assertEquals("", r.status().reasonPhrase());
            assertEquals("old", r.headers().get("server"));
        } finally {
            h.release();
        }
    }

    @Test
    void toStringSaysStatusFramingAndKeepAlive() {
        ResponseHead h = parse("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n");
        try {
            assertEquals("ResponseHead(200, LENGTH 12, keep-alive)", h.toString());
        } finally {
            h.release();
        }
        h = parse("HTTP/1.1 500 Oops\r\n\r\n");
        try {
            assertEquals("ResponseHead(500, CLOSE, close)", h.toString());
        } finally {
            h.release();
        }
    }
}
