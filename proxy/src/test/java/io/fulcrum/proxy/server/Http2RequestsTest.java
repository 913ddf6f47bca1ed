package io.fulcrum.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fulcrum.proxy.config.LimitsConfig;
import io.fulcrum.proxy.http1.RequestBody;
import io.fulcrum.proxy.http1.RequestHead;
import io.fulcrum.proxy.http1.RequestHeadEncoder;
import io.fulcrum.proxy.http1.RequestParser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link Http2Requests}: what Netty's HTTP/2-to-HTTP/1 conversion gives a stream becomes the same
 * {@link RequestHead} and {@link RequestBody} pieces an HTTP/1.1 connection's parser gives, framed for
 * an HTTP/1.1 backend.
 */
class Http2RequestsTest {

    private static final LimitsConfig LIMITS = new LimitsConfig(1024, 100, 0, 128);

    private final List<ByteBuf> contents = new ArrayList<>();
    private final EmbeddedChannel channel = new EmbeddedChannel(new Http2Requests(LIMITS));

    private ByteBuf content(String text) {
        ByteBuf b = Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1);
        contents.add(b);
        return b;
    }

    private List<Object> drain() {
        List<Object> out = new ArrayList<>();
        Object m;
        while ((m = channel.readInbound()) != null) {
            out.add(m);
        }
        return out;
    }

    private static String text(ByteBuf b) {
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    private static String encoded(RequestHead head) {
        ByteBuf out = RequestHeadEncoder.start(ByteBufAllocator.DEFAULT, head, 0, 2);
        try {
            RequestHeadEncoder.end(out);
            return text(out);
        } finally {
            out.release();
        }
    }

    /** What the conversion adds besides the client's headers: the stream id and the scheme. */
    private static void conversionHeaders(HttpRequest r) {
        r.headers().set(HttpConversionUtil.ExtensionHeaderNames.STREAM_ID.text(), 3);
        r.headers().set(HttpConversionUtil.ExtensionHeaderNames.SCHEME.text(), "https");
    }

    private void close(List<Object> out) {
        for (Object m : out) {
            ReferenceCountUtil.release(m);
        }
        channel.finishAndReleaseAll();
        for (ByteBuf b : contents) {
            assertEquals(0, b.refCnt(), "a stream's content was not released");
        }
    }

    @Test
    void aRequestWithoutBodyIsItsHeadAlone() {
        DefaultFullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/q?x=\u00e9",
                content(""));
        r.headers().add("host", "h.example");
        r.headers().add("user-agent", "ua");
        r.headers().add("cookie", "a=1; b=2");
        conversionHeaders(r);
        channel.writeInbound(r);
        List<Object> out = drain();
        try {
            assertEquals(1, out.size(), "no body piece after a head without a body: " + out);
            RequestHead head = assertInstanceOf(RequestHead.class, out.get(0));
            assertNull(head.problem());
            assertEquals(HttpMethod.GET, head.method());
            assertEquals("/q?x=\u00e9", head.uri());
            assertEquals("h.example", head.first(RequestHead.Kind.HOST));
            assertEquals("a=1; b=2", head.first(RequestHead.Kind.COOKIE));
            assertFalse(head.hasBody());
            assertEquals("GET /q?x=\u00e9 HTTP/1.1\r\nhost: h.example\r\nuser-agent: ua\r\ncookie: a=1; b=2\r\n\r\n",
                    encoded(head));
        } finally {
            close(out);
        }
    }

    @Test
    void theEmptyLastPieceAfterAHeadThatSaysNoBodyIsDropped() {
        // HEADERS without END_STREAM, content-length 0, then an empty DATA frame with END_STREAM.
        DefaultHttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/empty");
        r.headers().add("host", "h.example");
        r.headers().add("content-length", "0");
        conversionHeaders(r);
        ByteBuf data = content("");
        channel.writeInbound(r, new DefaultLastHttpContent(data));
        List<Object> out = drain();
        try {
            assertEquals(1, out.size(), out.toString());
            assertFalse(assertInstanceOf(RequestHead.class, out.get(0)).hasBody());
            assertEquals(0, data.refCnt(), "the dropped piece was released");
        } finally {
            close(out);
        }
    }

    @Test
    void aBodyWithoutContentLengthIsChunkEncodedWithItsTrailers() {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/up");
        r.headers().add("host", "h");
        // Netty's conversion marks a stream without content-length chunked.
        r.headers().add("transfer-encoding", "chunked");
        conversionHeaders(r);
        DefaultLastHttpContent last = new DefaultLastHttpContent(content(" world"));
        last.trailingHeaders().add("x-checksum", "abc");
        last.trailingHeaders().add("x-more", "1");
        channel.writeInbound(r, new DefaultHttpContent(content("hello")), new DefaultHttpContent(content("")),
                new DefaultHttpContent(content("0123456789abcdefg")), last);
        List<Object> out = drain();
        try {
            assertEquals(5, out.size(), out.toString());
            RequestHead head = assertInstanceOf(RequestHead.class, out.get(0));
            assertTrue(head.chunked());
            assertEquals("POST /up HTTP/1.1\r\nhost: h\r\ntransfer-encoding: chunked\r\n\r\n", encoded(head));
            String[] wire = {"5\r\nhello\r\n", "", "11\r\n0123456789abcdefg\r\n", "6\r\n world\r\n0\r\nx-checksum: abc\r\nx-more: 1\r\n\r\n"};
            long[] data = {5, 0, 17, 6};
            StringBuilder body = new StringBuilder();
            for (int i = 0; i < wire.length; i++) {
                RequestBody piece = assertInstanceOf(RequestBody.class, out.get(i + 1));
                assertEquals(wire[i], text(piece.content()), "piece " + i);
                assertEquals(data[i], piece.dataBytes(), "piece " + i);
                assertEquals(i == wire.length - 1, piece.last(), "piece " + i);
                body.append(text(piece.content()));
            }
            // What the backend gets is a chunked body Fulcrum's own strict parser reads back to the same data.
            assertReadsBackAs(encoded(head) + body, 5 + 17 + 6);
        } finally {
            close(out);
        }
    }

    @Test
    void anEmptyLastPieceOfAChunkedBodyEndsTheChunks() {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, "/p");
        r.headers().add("host", "h");
        r.headers().add("transfer-encoding", "chunked");
        channel.writeInbound(r, new DefaultHttpContent(content("abc")), LastHttpContent.EMPTY_LAST_CONTENT);
        List<Object> out = drain();
        try {
            assertEquals(3, out.size());
            assertEquals("3\r\nabc\r\n", text(((RequestBody) out.get(1)).content()));
            RequestBody end = (RequestBody) out.get(2);
            assertEquals("0\r\n\r\n", text(end.content()));
            assertTrue(end.last());
            assertEquals(0, end.dataBytes());
        } finally {
            close(out);
        }
    }

    @Test
    void aBodyWithContentLengthGoesAsItCame() {
        HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/len");
        r.headers().add("host", "h");
        r.headers().add("content-length", "11");
        channel.writeInbound(r, new DefaultHttpContent(content("hello")), new DefaultLastHttpContent(content(" world")));
        List<Object> out = drain();
        try {
            assertEquals(3, out.size());
            RequestHead head = (RequestHead) out.get(0);
            assertFalse(head.chunked());
            assertEquals(11, head.contentLength());
            RequestBody a = (RequestBody) out.get(1);
            RequestBody b = (RequestBody) out.get(2);
            assertEquals("hello", text(a.content()));
            assertEquals(5, a.dataBytes());
            assertFalse(a.last());
            assertEquals(" world", text(b.content()));
            assertEquals(6, b.dataBytes());
            assertTrue(b.last());
        } finally {
            close(out);
        }
    }

    @Test
    void aFailedConversionIs400WithNothingAfterIt() {
        DefaultFullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/", content("x"));
        r.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("bad")));
        channel.writeInbound(r);
        List<Object> out = drain();
        try {
            assertEquals(1, out.size());
            assertEquals(400, ((RequestHead) out.get(0)).problem().code());
        } finally {
            close(out);
        }
    }

    @Test
    void tooLargeHeadsAndTargetsAreRefused() {
        DefaultFullHttpRequest big = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/", content("x"));
        big.headers().add("host", "h");
        big.headers().add("x-big", "b".repeat(LIMITS.maxHeaderBytes()));
        DefaultFullHttpRequest longUri = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                "/" + "u".repeat(LIMITS.maxUriBytes() + 64), content("y"));
        longUri.headers().add("host", "h");
        channel.writeInbound(big, longUri);
        List<Object> out = drain();
        try {
            assertEquals(2, out.size(), out.toString());
            assertEquals(431, ((RequestHead) out.get(0)).problem().code());
            assertEquals(414, ((RequestHead) out.get(1)).problem().code());
        } finally {
            close(out);
        }
    }

    /** Parses {@code wire} as an HTTP/1.1 request on a client connection's parser: one request, these data bytes. */
    private static void assertReadsBackAs(String wire, long dataBytes) {
        EmbeddedChannel ch = new EmbeddedChannel(new RequestParser(8192, 8192, () -> { }));
        List<Object> out = new ArrayList<>();
        try {
            ch.writeInbound(Unpooled.copiedBuffer(wire, StandardCharsets.ISO_8859_1));
            Object m;
            while ((m = ch.readInbound()) != null) {
                out.add(m);
            }
            assertNull(((RequestHead) out.get(0)).problem());
            long data = 0;
            for (int i = 1; i < out.size(); i++) {
                RequestBody piece = (RequestBody) out.get(i);
                data += piece.dataBytes();
                assertEquals(i == out.size() - 1, piece.last());
            }
            assertEquals(dataBytes, data);
        } finally {
            out.forEach(ReferenceCountUtil::release);
            ch.finishAndReleaseAll();
        }
    }
}
