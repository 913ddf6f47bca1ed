package io.fulcrum.health;

import io.fulcrum.health.report.LoadReportParser;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.Promise;

/**
 * The http probe: {@code GET path} with {@code Host: <target host>}, {@code User-Agent: fulcrum-health} and
 * {@code Connection: close}; passes on a 2xx or 3xx status line. Only the response head is read: the
 * probe connection is closed as soon as it arrives, and any body bytes already decoded are released
 * unread ({@link SimpleChannelInboundHandler} releases them). A new connection per probe is what
 * HAProxy does too: it tests the accept path every time, and a probe never holds a backend connection
 * between intervals. Runs on the checker's loop; the promise completes there.
 */
final class HttpProbe {

    static final String USER_AGENT = "fulcrum-health";

    private HttpProbe() {
    }

    /** Starts the probe; the caller fails {@code result} on timeout, which closes the channel. */
    static void start(Bootstrap template, HealthTarget target, String path, Promise<ProbeResult> result) {
        Bootstrap b = template.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new HttpClientCodec(), new Handler(target.host(), path, result));
            }
        });
        b.connect(target.address()).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                result.trySuccess(ProbeResult.fail("connect failed: " + f.cause().getMessage()));
            } else {
                // Whoever completes the promise first (answer, timeout, close), the connection goes.
                result.addListener(r -> f.channel().close());
            }
        });
    }

    private static final class Handler extends SimpleChannelInboundHandler<HttpObject> {
        private final String host;
        private final String path;
        private final Promise<ProbeResult> result;

        Handler(String host, String path, Promise<ProbeResult> result) {
            this.host = host;
            this.path = path;
            this.result = result;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            DefaultFullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, path,
                    Unpooled.EMPTY_BUFFER);
            req.headers().set(HttpHeaderNames.HOST, host)
                    .set(HttpHeaderNames.USER_AGENT, USER_AGENT)
                    .set(HttpHeaderNames.ACCEPT, "*/*")
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(req).addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    result.trySuccess(ProbeResult.fail("request write failed: " + f.cause().getMessage()));
                }
            });
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (!(msg instanceof HttpResponse r) || result.isDone()) {
                return; // body content: dropped (released by the superclass)
            }
            if (r.decoderResult().isFailure()) {
                result.trySuccess(ProbeResult.fail("malformed response: " + r.decoderResult().cause().getMessage()));
                return;
            }
            int code = r.status().code();
            boolean passed = code >= 200 && code < 400;
            result.trySuccess(new ProbeResult(passed, "status " + code,
                    r.headers().get(LoadReportParser.HEADER)));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            result.trySuccess(ProbeResult.fail("connection closed before a response"));
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            result.trySuccess(ProbeResult.fail("probe error: " + cause.getMessage()));
            ctx.close();
        }
    }
}
