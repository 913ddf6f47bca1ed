package io.fulcrum.proxy.http1;

import static io.fulcrum.proxy.http1.ParserHarness.buf;
import static io.fulcrum.proxy.http1.ParserHarness.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ResponseHeadEncoder}: the exact bytes an HTTP/1.1 client is sent for a backend's head. */
class ResponseHeadEncoderTest {

    private static String encode(String head, boolean close, boolean keepAlive, boolean chunked) {
        return encode(head, false, close, keepAlive, chunked);
    }

    private static String encode(String head, boolean headRequest, boolean close, boolean keepAlive, boolean chunked) {
        ByteBuf bytes = buf(head);
        ResponseHead h;
        try {
            h = new HeadParser().parse(bytes, headRequest);
        } catch (RuntimeException e) {
            bytes.release();
            throw e;
        }
        try {
            ByteBuf out = ResponseHeadEncoder.encode(ByteBufAllocator.DEFAULT, h, close, keepAlive, chunked);
            try {
                return text(out);
            } finally {
                out.release();
            }
        } finally {
            h.release();
        }
    }

    private static String encode(String head) {
        return encode(head, false, false, false);
    }

    @Test
    void canonicalHeadIsCopiedAsItCame() {
        String head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nX-Obs: caf\u00e9\r\n\r\n";
        assertEquals(head, encode(head));
    }

    @Test
    void aHeadThatNeedsNoChangeIsItsOwnBytesNotACopy() {
        ByteBuf bytes = buf("HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 13\r\n\r\n");
        ResponseHead h = new HeadParser().parse(bytes, false);
        try {
            ByteBuf out = ResponseHeadEncoder.encode(ByteBufAllocator.DEFAULT, h, false, false, false, 13);
            try {
                h.bytes().setByte(0, 'h');
                assertEquals("hTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 13\r\n\r\n", text(out),
                        "a view of the head's bytes");
                assertEquals(0, out.writableBytes(), "no room for the body: it goes in its own write");
            } finally {
                out.release();
            }
        } finally {
            h.release();
        }
    }

    @Test
    void aBackendsConnectionKeepAliveIsCutOutWhereItStands() {
        for (String head : List.of(
                "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 13\r\nConnection: keep-alive\r\n\r\n",
                "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nServer: nginx\r\nContent-Length: 13\r\n\r\n",
                "HTTP/1.1 200 OK\r\nServer: nginx\r\nconnection: Keep-Alive\r\nContent-Length: 13\r\n\r\n")) {
            ByteBuf bytes = buf(head);
            ResponseHead h = new HeadParser().parse(bytes, false);
            try {
                assertTrue(h.verbatim(), head);
                ByteBuf out = ResponseHeadEncoder.encode(ByteBufAllocator.DEFAULT, h, false, false, false);
                try {
                    assertEquals("HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 13\r\n\r\n", text(out), head);
                    bytes.setByte(bytes.writerIndex() - 1, 'x');
                    assertEquals('x', out.getByte(out.writerIndex() - 1), "a view of the head's own bytes, edited");
                } finally {
                    out.release();
                }
            } finally {
                h.release();
            }
        }
    }

    /**
     * Every kind of buffer a head's bytes can be a slice of, with the bytes at index 5: a pooled direct read,
     * heap, unpooled direct, composite.
     */
    private static ByteBuf holding(byte[] bytes, int kind) {
        return switch (kind) {
            case 0 -> ByteBufAllocator.DEFAULT.directBuffer(bytes.length + 16).writeZero(5).writeBytes(bytes);
            case 1 -> Unpooled.buffer(bytes.length + 16).writeZero(5).writeBytes(bytes);
            case 2 -> Unpooled.directBuffer(bytes.length + 16).writeZero(5).writeBytes(bytes);
            default -> Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(new byte[5]), Unpooled.wrappedBuffer(bytes.clone()));
        };
    }

    @Test
    void movingTheLinesBeforeACutLineUpIsExactForEveryLengthDistanceAndKindOfBuffer() {
        for (int kind = 0; kind < 4; kind++) {
            for (int length = 0; length <= 40; length++) {
                for (int by = 1; by <= 30; by++) {
                    byte[] expected = new byte[length + by + 8];
                    for (int i = 0; i < expected.length; i++) {
                        expected[i] = (byte) ('a' + i % 26);
                    }
                    ByteBuf whole = holding(expected, kind);
                    try {
                        ByteBuf b = whole.slice(5, expected.length);
                        assertEquals(kind == 0 || kind == 2, b.hasMemoryAddress(), "the memmove path");
                        assertEquals(kind == 1, b.hasArray(), "the array path");
                        byte[] original = expected.clone();
                        System.arraycopy(original, 0, expected, by, length);
                        ResponseHead.moveUp(b, length, by);
                        byte[] got = new byte[expected.length];
                        b.getBytes(0, got);
                        assertEquals(new String(expected, StandardCharsets.ISO_8859_1),
                                new String(got, StandardCharsets.ISO_8859_1),
                                "kind " + kind + ", length " + length + ", by " + by);
                    } finally {
                        whole.release();
                    }
                }
            }
        }
    }

    @Test
    void aMoveOutsideTheBufferIsRefusedBeforeAnyByteIsWritten() {
        byte[] line = "HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.ISO_8859_1);
        ByteBuf whole = holding(line, 0);
        try {
            ByteBuf b = whole.slice(5, line.length);
            assertThrows(IndexOutOfBoundsException.class, () -> ResponseHead.moveUp(b, 10, b.capacity() - 9));
            assertThrows(IndexOutOfBoundsException.class, () -> ResponseHead.moveUp(b, -1, 2));
            assertEquals("HTTP/1.1 200 OK\r\n", b.toString(StandardCharsets.ISO_8859_1), "untouched");
        } finally {
            whole.release();
        }
    }

    @Test
    void aBackendsConnectionKeepAliveIsReplacedWhenTheProxySaysOtherwise() {
        String nginx = "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 13\r\nConnection: keep-alive\r\n\r\n";
        assertEquals("HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 13\r\nconnection: close\r\n\r\n",
                encode(nginx, true, false, false), "closing: the backend's keep-alive is replaced");
        assertEquals("HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 13\r\nconnection: keep-alive\r\n\r\n",
                encode(nginx, false, true, false), "an HTTP/1.0 client is told in the proxy's own words");
        assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
                encode("HTTP/1.1 200 OK\r\nConnection: keep-alive, X-A\r\nX-A: 1\r\nContent-Length: 0\r\n\r\n"),
                "a Connection header naming another is not forwarded, nor the header it names");
        assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
                encode("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 0\r\n\r\n"),
                "a Keep-Alive header is not forwarded, nor the Connection header beside it");
        assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
                encode("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n"));
    }

    @Test
    void http10StatusLineIsWrittenAsHttp11() {
        assertEquals("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
                encode("HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n"));
    }

    @Test
    void statusLineWithoutAReason() {
        assertEquals("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n", encode("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n"));
        assertEquals("HTTP/1.1 204\r\n\r\n", encode("HTTP/1.1 204 \r\n\r\n"), "an empty reason");
        assertEquals("HTTP/1.1 200\r\n\r\n", encode("HTTP/1.0 200\n\n"));
    }

    @Test
    void reasonIsCopiedAsItCame() {
        assertEquals("HTTP/1.1 599 Some  Long reason \u00e9\r\n\r\n", encode("HTTP/1.1 599 Some  Long reason \u00e9\r\n\r\n"));
    }

    @Test
    void hopByHopHeadersAreLeftOut() {
        String head = "HTTP/1.1 200 OK\r\n"
                + "Date: today\r\n"
                + "Connection: keep-alive, X-Private, content-length\r\n"
                + "Keep-Alive: timeout=5\r\n"
                + "Proxy-Connection: keep-alive\r\n"
                + "TE: trailers\r\n"
                + "Trailer: X-Sum\r\n"
                + "Upgrade: h2c\r\n"
                + "Proxy-Authenticate: Basic\r\n"
                + "Proxy-Authorization: Basic eA==\r\n"
                + "X-Private: secret\r\n"
                + "x-private: secret too\r\n"
                + "Content-Length: 3\r\n"
                + "X-Public: yes\r\n\r\n";
        assertEquals("HTTP/1.1 200 OK\r\nDate: today\r\nContent-Length: 3\r\nX-Public: yes\r\n\r\n", encode(head));
    }

    @Test
    void contentLengthBesideTransferEncodingIsLeftOut() {
        assertEquals("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nVary: *\r\n\r\n",
                encode("HTTP/1.1 200 OK\r\nContent-Length: 10\r\nTransfer-Encoding: chunked\r\nVary: *\r\n\r\n"));
    }

    @Test
    void aRepeatedContentLengthIsWrittenOnce() {
        assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 7\r\nX-A: b\r\n\r\n",
                encode("HTTP/1.1 200 OK\r\nContent-Length: 7\r\nX-A: b\r\nContent-Length: 7\r\n\r\n"));
    }

    @Test
    void nonCanonicalLinesAreNormalised() {
        String head = "HTTP/1.1 200 OK\r\n"
                + "A:value\r\n"
                + "B:  value  \r\n"
                + "C:\tvalue\t\r\n"
                + "D: value \r\n"
                + "E: value\n"
                + "F:\r\n"
                + "G: \r\n"
                + "H:  spaced  out  value\r\n"
                + "\r\n";
        assertEquals("HTTP/1.1 200 OK\r\n"
                + "A: value\r\n"
                + "B: value\r\n"
                + "C: value\r\n"
                + "D: value\r\n"
                + "E: value\r\n"
                + "F: \r\n"
                + "G: \r\n"
                + "H: spaced  out  value\r\n"
                + "\r\n", encode(head));
    }

    @Test
    void runsOfCanonicalLinesAroundDroppedAndLooseOnes() {
        String head = "HTTP/1.1 200 OK\n"
                + "A: 1\r\nB: 2\r\n"
                + "Connection: keep-alive\r\n"
                + "C: 3\r\n"
                + "D:4\r\n"
                + "E: 5\r\nF: 6\r\n"
                + "Keep-Alive: 1\r\n"
                + "G:7\r\n"
                + "\n";
        assertEquals("HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\nF: 6\r\nG: 7\r\n\r\n", encode(head));
    }

    @Test
    void whatTheProxyAdds() {
        String head = "HTTP/1.1 200 OK\r\nX-A: b\r\n\r\n";
        assertEquals("HTTP/1.1 200 OK\r\nX-A: b\r\nconnection: close\r\n\r\n", encode(head, true, false, false));
        assertEquals("HTTP/1.1 200 OK\r\nX-A: b\r\nconnection: keep-alive\r\n\r\n", encode(head, false, true, false));
        assertEquals("HTTP/1.1 200 OK\r\nX-A: b\r\ntransfer-encoding: chunked\r\n\r\n", encode(head, false, false, true));
        assertEquals("HTTP/1.1 200 OK\r\nX-A: b\r\nconnection: close\r\n\r\n", encode(head, true, true, false),
                "close wins over keep-alive");
        assertEquals("HTTP/1.1 200 OK\r\nX-A: b\r\ntransfer-encoding: chunked\r\nconnection: keep-alive\r\n\r\n",
                encode(head, false, true, true));
        assertEquals("HTTP/1.1 200 OK\r\nX-A: b\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n",
                encode(head, true, false, true));
    }

    @Test
    void theBackendsConnectionHeaderIsReplacedByTheProxys() {
        assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nconnection: close\r\n\r\n",
                encode("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", true, false, false));
    }

    @Test
    void headWithNoHeaders() {
        assertEquals("HTTP/1.1 200 OK\r\n\r\n", encode("HTTP/1.1 200 OK\r\n\r\n"));
        assertEquals("HTTP/1.1 200 OK\r\n\r\n", encode("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"));
    }

    @Test
    void headResponseKeepsItsContentLength() {
        assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n",
                encode("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n", true, false, false, false));
    }

    /** The dropped and canonical bitsets span several longs: 64 headers or more. */
    @Test
    void moreThan64Headers() {
        int count = 300;
        List<Integer> hop = List.of(0, 1, 63, 64, 127, 128, 129, 191, 192, 255, 256, 299);
        List<Integer> loose = List.of(2, 62, 65, 66, 126, 130, 190, 193, 254, 257, 298);
        StringBuilder in = new StringBuilder("HTTP/1.1 200 OK\r\n");
        StringBuilder out = new StringBuilder("HTTP/1.1 200 OK\r\n");
        for (int i = 0; i < count; i++) {
            if (hop.contains(i)) {
                in.append(i % 2 == 0 ? "Keep-Alive: " : "Proxy-Connection:").append(i).append("\r\n");
            } else if (i == 150) {
                in.append("Connection: X-Named\r\n");
            } else if (i == 200 || i == 10) {
                in.append("x-named:").append(i).append("\r\n");
            } else {
                in.append("X-H-").append(i).append(loose.contains(i) ? ":  " : ": ").append("v").append(i)
                        .append(loose.contains(i) ? " \r\n" : "\r\n");
                out.append("X-H-").append(i).append(": v").append(i).append("\r\n");
            }
        }
        in.append("\r\n");
        out.append("connection: keep-alive\r\n\r\n");
        assertEquals(out.toString(), encode(in.toString(), false, true, false));
    }

    @Test
    void theHeadIsNotConsumedByEncoding() {
        ByteBuf bytes = buf("HTTP/1.0 200 OK\r\nA:1\r\n\r\n");
        ResponseHead h = new HeadParser().parse(bytes, false);
        try {
            for (int i = 0; i < 2; i++) {
                ByteBuf out = ResponseHeadEncoder.encode(ByteBufAllocator.DEFAULT, h, false, false, false);
                try {
                    assertEquals("HTTP/1.1 200 OK\r\nA: 1\r\n\r\n", text(out), "encoding " + i);
                } finally {
                    out.release();
                }
            }
            assertEquals("HTTP/1.0 200 OK\r\nA:1\r\n\r\n", text(h.bytes()));
        } finally {
            h.release();
        }
    }
}
