package io.fulcrum.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.fulcrum.proxy.config.LimitsConfig;
import io.fulcrum.proxy.http1.RequestHead;
import io.fulcrum.proxy.http1.RequestParser;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link RequestChecks}: which parsed requests are answered by Fulcrum instead of forwarded. */
class RequestChecksTest {

    /** max-header-bytes 1024, max-request-body-bytes 1000, max-uri-bytes 32. */
    private static final LimitsConfig LIMITS = new LimitsConfig(1024, 100, 1000, 32);

    /** The check's answer for a head, 0 when it may be forwarded. */
    private static int check(String text) {
        EmbeddedChannel ch = new EmbeddedChannel(new RequestParser(LIMITS.maxUriBytes() + 64, LIMITS.maxHeaderBytes(),
                () -> { }));
        try {
            ch.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
            RequestHead head = assertInstanceOf(RequestHead.class, ch.readInbound());
            try {
                HttpResponseStatus status = RequestChecks.problem(head, LIMITS);
                return status == null ? 0 : status.code();
            } finally {
                head.release();
            }
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void wellFormedRequestsPass() {
        assertEquals(0, check("GET / HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertEquals(0, check("GET /" + "a".repeat(31) + " HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertEquals(0, check("GET http://h/x HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertEquals(0, check("GET HTTPS://h/x HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertEquals(0, check("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertEquals(0, check("GET / HTTP/1.0\r\n\r\n"));
        assertEquals(0, check("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\n\r\n"));
        assertEquals(0, check("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n"));
    }

    @Test
    void theParsersProblemIsTheAnswer() {
        assertEquals(400, check("GET / HTTP/1.1\r\nHost : h\r\n\r\n"));
        assertEquals(414, check("GET /" + "a".repeat(200) + " HTTP/1.1\r\nHost: h\r\n\r\n"));
    }

    @Test
    void refusedRequests() {
        assertEquals(414, check("GET /" + "a".repeat(32) + " HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertEquals(400, check("GET a/b HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertEquals(400, check("GET * HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertEquals(400, check("CONNECT h:443 HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertEquals(400, check("GET ftp://h/x HTTP/1.1\r\nHost: h\r\n\r\n"));
        assertEquals(400, check("GET / HTTP/1.1\r\n\r\n"));
        assertEquals(400, check("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"));
        assertEquals(400, check("GET / HTTP/1.0\r\nHost: a\r\nhost: a\r\n\r\n"));
        assertEquals(413, check("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1001\r\n\r\n"));
        assertEquals(417, check("POST / HTTP/1.1\r\nHost: h\r\nExpect: something-else\r\nContent-Length: 1\r\n\r\n"));
        assertEquals(417, check("POST / HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nExpect: 100-continue\r\n\r\n"));
    }
}
