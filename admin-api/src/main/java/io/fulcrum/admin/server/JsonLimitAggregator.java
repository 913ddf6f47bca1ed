package io.fulcrum.admin.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;

/**
 * Gathers an admin request whole (admin bodies are small) up to a limit, and answers a larger one
 * with a 413 in the API's error format, then closes: the client may still be sending the body, and
 * there is no way to find the next request in the stream. Also when the client asked
 * {@code Expect: 100-continue} (curl does for large bodies): the 413 then replaces the
 * {@code 100 Continue}, and the connection is closed after it. Event-loop confined, like every
 * handler.
 */
final class JsonLimitAggregator extends HttpObjectAggregator {

    static final int LINGER_SECONDS = 2;

    JsonLimitAggregator(int maxContentLength) {
        super(maxContentLength, true);
    }

    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        Object answer = super.newContinueResponse(start, maxContentLength, pipeline);
        if (answer instanceof FullHttpResponse
                && ((FullHttpResponse) answer).status().code() == HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code()) {
            ReferenceCountUtil.release(answer);
            return tooLarge();
        }
        return answer;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        ctx.writeAndFlush(tooLarge()).addListener(f -> lingerThenClose(ctx));
    }

    /**
     * Closes gently. The client is likely still sending the body it announced; closing a socket with
     * unread input makes the kernel send a reset, which can destroy the 413 before the client reads
     * it. So the write side is shut (the client sees the answer, then EOF) while what it still sends
     * is read and dropped, and the connection is closed when the client closes it or after
     * {@link #LINGER_SECONDS} — NGINX's lingering close.
     */
    private static void lingerThenClose(ChannelHandlerContext ctx) {
        if (ctx.channel() instanceof DuplexChannel duplex && ctx.channel().isActive()) {
            duplex.shutdownOutput();
            ctx.executor().schedule(() -> ctx.close(), LINGER_SECONDS, TimeUnit.SECONDS);
        } else {
            ctx.close();
        }
    }

    private FullHttpResponse tooLarge() {
        byte[] body = AdminJson.bytes(AdminJson.error("payload too large",
                "admin request bodies are limited to " + maxContentLength() + " bytes"));
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Unpooled.wrappedBuffer(body));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, AdminResponse.JSON);
        res.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return res;
    }
}
