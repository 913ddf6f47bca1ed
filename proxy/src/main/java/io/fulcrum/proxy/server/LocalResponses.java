package io.fulcrum.proxy.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * Fulcrum's own answers (SPEC section 6): a short plain-text body naming the problem. 503 carries
 * {@code Retry-After}. The bodies are built once and shared as read-only duplicates.
 */
public final class LocalResponses {

    private static final ByteBuf[] BODIES = new ByteBuf[600];

    static {
        body(HttpResponseStatus.BAD_REQUEST, "bad request\n");
        body(HttpResponseStatus.NOT_FOUND, "no route matches this request\n");
        body(HttpResponseStatus.REQUEST_TIMEOUT, "request headers not received in time\n");
        body(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "request body too large\n");
        body(HttpResponseStatus.REQUEST_URI_TOO_LONG, "request URI too long\n");
        body(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "request headers too large\n");
        body(HttpResponseStatus.NOT_IMPLEMENTED, "transfer coding not implemented\n");
        body(HttpResponseStatus.BAD_GATEWAY, "backend failed\n");
        body(HttpResponseStatus.SERVICE_UNAVAILABLE, "no backend available\n");
        body(HttpResponseStatus.GATEWAY_TIMEOUT, "backend timed out\n");
        body(HttpResponseStatus.EXPECTATION_FAILED, "expectation not supported\n");
    }

    private LocalResponses() {
    }

    private static void body(HttpResponseStatus status, String text) {
        BODIES[status.code()] = Unpooled.unreleasableBuffer(
                Unpooled.directBuffer(text.length()).writeBytes(text.getBytes(StandardCharsets.US_ASCII)).asReadOnly());
    }

    /** Builds the answer for {@code status}; {@code close} adds {@code Connection: close}. */
    public static FullHttpResponse build(HttpResponseStatus status, boolean close) {
        ByteBuf body = BODIES[status.code()];
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                body == null ? Unpooled.EMPTY_BUFFER : body.duplicate());
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        if (status.code() == 503) {
            response.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
        }
        if (close) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return response;
    }
}
