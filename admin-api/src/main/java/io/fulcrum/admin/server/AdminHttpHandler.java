package io.fulcrum.admin.server;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One admin connection: health check, auth, routing, then the {@link AdminDispatcher}; answers in
 * request order.
 *
 * <p>Threading: every method runs on the connection's event loop (the admin group has one). The
 * channel reads with {@code AUTO_READ} off: the next read is asked for only when the last answer
 * was written, and requests that arrived together (pipelined) wait in {@link #queue}, so answers
 * never overtake each other while the worker computes them. Request buffers are released by
 * {@link SimpleChannelInboundHandler} once the request was copied into an {@link AdminRequest}.
 */
final class AdminHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger LOG = LoggerFactory.getLogger(AdminHttpHandler.class);
    private static final String REALM = "Bearer realm=\"fulcrum-admin\"";

    /** A request waiting its turn: answered at once ({@code immediate}) or by the dispatcher. */
    private record Pending(boolean keepAlive, boolean head, AdminResponse immediate, AdminRequest request) {
    }

    private final Optional<BearerToken> token;
    private final AdminDispatcher dispatcher;
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private boolean busy;

    AdminHttpHandler(Optional<BearerToken> token, AdminDispatcher dispatcher) {
        this.token = token;
        this.dispatcher = dispatcher;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        boolean head = req.method().equals(HttpMethod.HEAD);
        if (!req.decoderResult().isSuccess()) {
            queue.add(new Pending(false, false, AdminResponse.error(400, "bad request",
                    "malformed HTTP request: " + req.decoderResult().cause()), null));
        } else {
            queue.add(intake(ctx, req, keepAlive, head));
        }
        if (!busy) {
            next(ctx);
        }
    }

    private Pending intake(ChannelHandlerContext ctx, FullHttpRequest req, boolean keepAlive, boolean head) {
        QueryStringDecoder uri = new QueryStringDecoder(req.uri());
        Optional<Route> route = Route.resolve(uri.rawPath());
        if (route.isPresent() && route.get().endpoint() == Endpoint.HEALTHZ) {
            // Liveness stays open (no token) so that systemd, Docker and orchestrators can probe it.
            if (!route.get().endpoint().allows(req.method())) {
                return new Pending(keepAlive, head, methodNotAllowed(req, route.get()), null);
            }
            return new Pending(keepAlive, head, AdminResponse.text(200, AdminResponse.TEXT, "ok\n"), null);
        }
        if (token.isPresent() && !token.get().accepts(req.headers().get(HttpHeaderNames.AUTHORIZATION))) {
            return new Pending(keepAlive, head, AdminResponse.error(401, "unauthorized",
                    "send the admin token as 'Authorization: Bearer <token>'")
                    .withHeader(HttpHeaderNames.WWW_AUTHENTICATE.toString(), REALM), null);
        }
        if (route.isEmpty()) {
            return new Pending(keepAlive, head, AdminResponse.error(404, "not found",
                    "no such path: " + uri.rawPath()), null);
        }
        if (!route.get().endpoint().allows(req.method())) {
            return new Pending(keepAlive, head, methodNotAllowed(req, route.get()), null);
        }
        byte[] body = new byte[req.content().readableBytes()];
        req.content().getBytes(req.content().readerIndex(), body);
        AdminRequest request = new AdminRequest(req.method(), route.get(), uri.parameters(), body,
                String.valueOf(ctx.channel().remoteAddress()));
        return new Pending(keepAlive, head, null, request);
    }

    private static AdminResponse methodNotAllowed(FullHttpRequest req, Route route) {
        return AdminResponse.error(405, "method not allowed", req.method() + " is not allowed here; allowed: "
                + route.endpoint().allowHeader()).withHeader(HttpHeaderNames.ALLOW.toString(), route.endpoint().allowHeader());
    }

    private void next(ChannelHandlerContext ctx) {
        Pending p = queue.poll();
        if (p == null) {
            busy = false;
            ctx.read();
            return;
        }
        busy = true;
        CompletableFuture<AdminResponse> answer = p.immediate() != null
                ? CompletableFuture.completedFuture(p.immediate())
                : dispatcher.dispatch(p.request(), ctx.executor());
        answer.whenComplete((response, err) -> {
            AdminResponse r = err == null ? response
                    : AdminResponse.error(500, "internal error", String.valueOf(err));
            if (ctx.executor().inEventLoop()) {
                write(ctx, p, r);
            } else {
                ctx.executor().execute(() -> write(ctx, p, r));
            }
        });
    }

    private void write(ChannelHandlerContext ctx, Pending p, AdminResponse r) {
        if (!ctx.channel().isActive()) {
            queue.clear();
            busy = false;
            return;
        }
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()),
                p.head() ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(r.body()));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
        res.headers().set(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
        res.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        r.headers().forEach((name, value) -> res.headers().set(name, value));
        if (p.keepAlive()) {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(res).addListener((ChannelFutureListener) f -> {
                if (f.isSuccess()) {
                    next(ctx);
                } else {
                    f.channel().close();
                }
            });
        } else {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            queue.clear();
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        // An idle keep-alive connection is closed; one waiting for a drain answer is not idle.
        if (evt instanceof IdleStateEvent && !busy) {
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("admin connection {} failed", ctx.channel().remoteAddress(), cause);
        ctx.close();
    }
}
