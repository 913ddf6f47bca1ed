package io.fulcrum.health;

import io.fulcrum.health.report.LoadReportParser;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.Promise;
import java.nio.charset.StandardCharsets;

/**
 * The http probe of one target: {@code GET path} with {@code Host: <target host>},
 * {@code User-Agent: fulcrum-health}; passes on a 2xx or 3xx status line.
 *
 * <p>The connection is kept alive between probes and reused, as Envoy's health checker does by default
 * ({@code reuse_connection}). Why not a new connection per probe, as HAProxy does: opening one, building
 * its pipeline and closing it is most of a probe's cost, and at one probe every few seconds that code
 * runs cold each time — about 1.5 ms of CPU in one burst on the proxy's core, long enough to hold up an
 * event loop (bench/README.md, 2026-12-02). A kept-alive probe is one write and one short read. What a
 * reused connection does not test is the backend's accept path while the backend passes; every failure
 * (a 4xx or 5xx answer, a timeout, a malformed answer), every {@code Connection: close} answer and every
 * close by the backend drops the connection, and the next probe opens a new one, so a failing backend is
 * probed on fresh connections until it passes again.
 *
 * <p>A request sent on a reused connection that the backend closes before answering anything (its idle
 * timeout racing the probe) is sent once more on a new connection, within the same timeout, so that a
 * backend's keep-alive housekeeping never reads as a failed probe.
 *
 * <p>The request is encoded once; the response head decides the probe and the body is read and dropped
 * ({@link SimpleChannelInboundHandler} releases it) so that the connection can carry the next probe.
 * Checker loop only: the caller fails a probe's promise on timeout, which drops the connection.
 */
final class HttpProbe {

    static final String USER_AGENT = "fulcrum-health";

    private final HealthTarget target;
    private final Bootstrap bootstrap;
    private byte[] request;
    private String requestPath;
    /** The kept-alive connection, or null. */
    private Channel channel;
    /** Its handler; an exchange is in progress on it while {@link Handler#busy()}. */
    private Handler handler;
    /** The target is gone: no new connections, and one that completes is closed at once. */
    private boolean closed;

    /** @param template the checker's bootstrap (group, channel class, options); cloned, not changed */
    HttpProbe(Bootstrap template, HealthTarget target) {
        this.target = target;
        this.bootstrap = template.clone();
    }

    /** Starts one probe; the caller completes {@code result} on timeout. */
    void start(String path, int connectTimeoutMillis, Promise<ProbeResult> result) {
        if (!path.equals(requestPath)) {
            request = encode(path, target.host());
            requestPath = path;
        }
        result.addListener(f -> {
            // Answered: the connection carries on (or goes at the end of a non-keep-alive answer).
            // Timed out or failed: whatever arrives late on it would be mistaken for the next answer.
            if (handler != null && handler.result == result && !handler.headSeen) {
                dropConnection();
            }
        });
        if (channel != null && channel.isActive() && !handler.busy()) {
            send(result, true, connectTimeoutMillis);
        } else {
            dropConnection(); // none yet, closed by the backend, or still reading an old answer's body
            connect(result, connectTimeoutMillis);
        }
    }

    /** The target is removed or no longer probed over http: its connection goes, and no new one comes. */
    void close() {
        closed = true;
        dropConnection();
    }

    private void dropConnection() {
        if (channel != null) {
            channel.close();
            channel = null;
            handler = null;
        }
    }

    private void connect(Promise<ProbeResult> result, int connectTimeoutMillis) {
        if (closed) {
            result.trySuccess(ProbeResult.fail("probe stopped"));
            return;
        }
        Handler h = new Handler();
        Bootstrap b = bootstrap.clone()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMillis)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new HttpResponseDecoder(), h);
                    }
                });
        b.connect(target.address()).addListener((ChannelFutureListener) f -> {
            if (result.isDone() || closed) {
                f.channel().close(); // timed out while connecting, or the target went meanwhile
                result.trySuccess(ProbeResult.fail("probe stopped"));
            } else if (!f.isSuccess()) {
                result.trySuccess(ProbeResult.fail("connect failed: " + f.cause().getMessage()));
            } else {
                channel = f.channel();
                handler = h;
                send(result, false, connectTimeoutMillis);
            }
        });
    }

    private void send(Promise<ProbeResult> result, boolean reused, int connectTimeoutMillis) {
        handler.begin(result, reused, connectTimeoutMillis);
        channel.writeAndFlush(Unpooled.wrappedBuffer(request)).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                f.channel().close(); // channelInactive retries or fails the exchange
            }
        });
    }

    /** The connection closed with this exchange unanswered. */
    private void closedUnanswered(Handler h, Channel ch) {
        if (channel == ch) {
            channel = null;
            handler = null;
        }
        Promise<ProbeResult> result = h.result;
        if (result == null || result.isDone()) {
            return;
        }
        if (h.reused && !h.anyResponse) {
            connect(result, h.connectTimeoutMillis); // a keep-alive close racing the probe: once more, fresh
        } else {
            result.trySuccess(ProbeResult.fail("connection closed before a response"));
        }
    }

    private static byte[] encode(String path, String host) {
        return ("GET " + path + " HTTP/1.1\r\n"
                + "Host: " + host + "\r\n"
                + "User-Agent: " + USER_AGENT + "\r\n"
                + "Accept: */*\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    /** One connection's exchanges, one at a time. */
    private final class Handler extends SimpleChannelInboundHandler<HttpObject> {
        private Promise<ProbeResult> result;
        private boolean reused;
        private int connectTimeoutMillis;
        private boolean anyResponse;
        private boolean headSeen;
        private boolean keepAlive;
        private boolean done = true;

        void begin(Promise<ProbeResult> result, boolean reused, int connectTimeoutMillis) {
            this.result = result;
            this.reused = reused;
            this.connectTimeoutMillis = connectTimeoutMillis;
            anyResponse = false;
            headSeen = false;
            done = false;
        }

        /** An exchange is under way: its answer, or the rest of its body, has not arrived. */
        boolean busy() {
            return !done;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            anyResponse = true;
            if (done) {
                ctx.close(); // bytes nobody asked for: the connection is out of step
                return;
            }
            if (msg.decoderResult().isFailure()) {
                // Head or body: either way the decoder has given up on this connection.
                result.trySuccess(ProbeResult.fail("malformed response: " + msg.decoderResult().cause().getMessage()));
                ctx.close();
                return;
            }
            if (msg instanceof HttpResponse r) {
                if (r.status().code() < 200) {
                    return; // an interim 1xx: the real answer follows
                }
                headSeen = true;
                int code = r.status().code();
                // A failing backend is probed on fresh connections, its accept path included, until it passes.
                keepAlive = code < 400 && HttpUtil.isKeepAlive(r);
                result.trySuccess(new ProbeResult(code < 400, "status " + code, r.headers().get(LoadReportParser.HEADER)));
            }
            if (msg instanceof LastHttpContent && headSeen) {
                done = true;
                if (!keepAlive) {
                    ctx.close();
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            closedUnanswered(this, ctx.channel());
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (result != null) {
                result.trySuccess(ProbeResult.fail("probe error: " + cause.getMessage()));
            }
            ctx.close();
        }
    }
}
