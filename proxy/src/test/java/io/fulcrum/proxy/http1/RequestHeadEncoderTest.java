package io.fulcrum.proxy.http1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** {@link RequestHeadEncoder}: the head a backend gets, byte for byte. */
class RequestHeadEncoderTest {

    private static RequestHead parse(String text) {
        RequestHead head = new RequestHeadParser().parse(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1),
                8192, 65536);
        assertNull(head.problem(), text);
        return head;
    }

    private static String encode(RequestHead head, int skipKinds) {
        ByteBuf out = RequestHeadEncoder.start(ByteBufAllocator.DEFAULT, head, skipKinds, 0);
        try {
            RequestHeadEncoder.end(out);
            return out.toString(StandardCharsets.ISO_8859_1);
        } finally {
            out.release();
        }
    }

    private static String encode(String text, int skipKinds) {
        RequestHead head = parse(text);
        try {
            return encode(head, skipKinds);
        } finally {
            head.release();
        }
    }

    @Test
    void aCanonicalHeadIsCopiedAsItCame() {
        String text = "GET /a/b?c=d HTTP/1.1\r\nHost: h.example\r\nAccept: */*\r\nx-lower: v\r\nUser-Agent: ua\r\n\r\n";
        assertEquals(text, encode(text, 0));
        String http10 = "HEAD / HTTP/1.0\r\n\r\n";
        assertEquals(http10, encode(http10, 0));
    }

    @Test
    void hopByHopAndConnectionNamedHeadersAreLeftOutNonCanonicalLinesNormalised() {
        String text = "PATCH /p?q HTTP/1.1\r\n"
                + "Host: h.example\r\n"
                + "Connection: keep-alive, X-Secret, host, content-length, Cookie\r\n"
                + "X-Secret: s\r\n"
                + "Content-Length: 2\r\n"
                + "Cookie: c=1\r\n"
                + "Keep-Alive: timeout=5\r\n"
                + "Proxy-Connection: keep-alive\r\n"
                + "TE: trailers\r\n"
                + "Trailer: X-T\r\n"
                + "Upgrade: h2c\r\n"
                + "Proxy-Authorization: Basic eA==\r\n"
                + "Proxy-Authenticate: Basic\r\n"
                + "x-lower: kept\r\n"
                + "X-Tab:\tv1\r\n"
                + "X-NoSpace:v2\r\n"
                + "X-Two:  v3\r\n"
                + "X-Trail: v4 \t\r\n"
                + "X-Empty:\r\n"
                + "X-Mid: a  b\r\n"
                + "connection: X-Other\r\n"
                + "X-Other: o\r\n"
                + "x-secret: again\r\n"
                + "X-Last: z\r\n"
                + "\r\n";
        assertEquals("PATCH /p?q HTTP/1.1\r\n"
                + "Host: h.example\r\n"
                + "Content-Length: 2\r\n"
                + "x-lower: kept\r\n"
                + "X-Tab: v1\r\n"
                + "X-NoSpace: v2\r\n"
                + "X-Two: v3\r\n"
                + "X-Trail: v4\r\n"
                + "X-Empty: \r\n"
                + "X-Mid: a  b\r\n"
                + "X-Last: z\r\n"
                + "\r\n", encode(text, 0));
    }

    @Test
    void transferEncodingIsNeverDroppedEvenWhenNamed() {
        String text = "POST / HTTP/1.1\r\nHost: h\r\nConnection: Transfer-Encoding, Host\r\nTransfer-Encoding: chunked\r\n\r\n";
        assertEquals("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", encode(text, 0));
    }

    @Test
    void callerChosenKindsAreLeftOutAndItsHeadersAdded() {
        String text = "GET / HTTP/1.1\r\nHost: h\r\nCookie: a\r\nUser-Agent: ua\r\nX-Keep: k\r\ncookie: b\r\n\r\n";
        RequestHead head = parse(text);
        ByteBuf out = RequestHeadEncoder.start(ByteBufAllocator.DEFAULT, head,
                1 << RequestHead.Kind.COOKIE | 1 << RequestHead.Kind.USER_AGENT, 64);
        try {
            HeaderBuilder.forThisLoop().name("x-added".getBytes(StandardCharsets.US_ASCII)).text("v\u00e9").end()
                    .writeTo(out);
            RequestHeadEncoder.end(out);
            assertEquals("GET / HTTP/1.1\r\nHost: h\r\nX-Keep: k\r\nx-added: v\u00e9\r\n\r\n",
                    out.toString(StandardCharsets.ISO_8859_1));
        } finally {
            out.release();
            head.release();
        }
    }

    @Test
    void moreThanSixtyFourHeaders() {
        // 150 headers: the dropped and canonical flags run over three 64-bit words.
        List<String> lines = new ArrayList<>();
        lines.add("Host: h");
        lines.add("Connection: X-H70, close, x-h140");
        for (int i = 2; i < 150; i++) {
            switch (i) {
                case 64 -> lines.add("Keep-Alive: 1");
                case 65 -> lines.add("X-NC" + i + ":nc" + i);
                case 66 -> lines.add("Proxy-Connection: x");
                case 127 -> lines.add("TE: trailers");
                case 128 -> lines.add("X-Pad" + i + ":  p" + i + "  ");
                case 129 -> lines.add("Upgrade: x");
                default -> lines.add("X-H" + i + ": v" + i);
            }
        }
        StringBuilder text = new StringBuilder("GET /many HTTP/1.1\r\n");
        StringBuilder expected = new StringBuilder("GET /many HTTP/1.1\r\n");
        for (String line : lines) {
            text.append(line).append("\r\n");
            int colon = line.indexOf(':');
            String name = line.substring(0, colon);
            String lower = name.toLowerCase(Locale.ROOT);
            if (List.of("connection", "keep-alive", "proxy-connection", "te", "upgrade", "x-h70", "x-h140").contains(lower)) {
                continue;
            }
            expected.append(name).append(": ").append(line.substring(colon + 1).strip()).append("\r\n");
        }
        text.append("\r\n");
        expected.append("\r\n");
        RequestHead head = parse(text.toString());
        try {
            assertEquals(expected.toString(), encode(head, 0));
            assertEquals("v149", head.header("x-h149"));
            assertEquals("p128", head.header("X-Pad128"));
            assertEquals("nc65", head.header("X-NC65"));
            assertEquals(3, head.count(RequestHead.Kind.HOP));
            assertEquals("h", head.first(RequestHead.Kind.HOST));
        } finally {
            head.release();
        }
    }
}
