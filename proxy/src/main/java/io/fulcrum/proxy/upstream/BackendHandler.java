package io.fulcrum.proxy.upstream;

import io.fulcrum.proxy.backend.Backend;
import io.fulcrum.proxy.clock.ReadClock;
import io.fulcrum.proxy.http1.ResponseBody;
import io.fulcrum.proxy.http1.ResponseHead;
import io.fulcrum.proxy.http1.ResponseParser;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The last handler of a backend connection's pipeline. While an {@link Exchange} owns the
 * connection it forwards everything to it; while the connection sits idle in the pool, any data or
 * EOF from the backend means the connection is no longer safe to reuse, so it is closed (and the
 * pool drops it when it goes inactive). Event-loop confined, like the connection.
 */
final class BackendHandler extends ChannelInboundHandlerAdapter {

    private final LoopConnections pool;
    private final Backend backend;
    private Exchange exchange;
    private ChannelHandlerContext ctx;
    private ResponseParser parser;
    private long responseDeadline;
    private ScheduledFuture<?> timer;
    private final Runnable timerTask = this::timerFired;
    /** When the connection last went back to the pool (ticker of {@link LoopConnections}). */
    private long idleSince;
    /** The first error seen on the connection, handed to the exchange when the connection is gone. */
    private Throwable failure;

    BackendHandler(LoopConnections pool, Backend backend) {
        this.pool = pool;
        this.backend = backend;
    }

    /**
     * The connection serves {@code exchange} now; its parser learns what the response answers.
     *
     * @param headRequest the request is HEAD (the response has no body)
     * @param keepFraming pass the body on with its chunked framing (an HTTP/1.1 client)
     */
    void bind(Exchange exchange, boolean headRequest, boolean keepFraming) {
        this.exchange = exchange;
        parser.expect(headRequest, keepFraming);
    }

    /** Whether the last response ended cleanly with nothing after it, so the connection can be pooled. */
    boolean reusable() {
        return parser.reusable();
    }

    void unbind() {
        this.exchange = null;
        responseDeadline = 0;
    }

    /**
     * The request is sent: its response head is due within {@code nanos}. One timer per connection,
     * not per request: it is armed only when none is pending, and when it fires it checks the current
     * deadline and arms itself again for what is left (a reused connection schedules nothing per request).
     */
    void expectResponseWithin(long nanos) {
        responseDeadline = ReadClock.now() + nanos;
        if (timer == null) {
            timer = ctx.executor().schedule(timerTask, nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** The response head arrived (or the exchange ended): no deadline any more. */
    void responseArrived() {
        responseDeadline = 0;
    }

    private void timerFired() {
        timer = null;
        if (responseDeadline == 0 || exchange == null) {
            return;
        }
        long left = responseDeadline - ReadClock.now();
        if (left <= 0) {
            responseDeadline = 0;
            exchange.onResponseTimeout();
        } else {
            timer = ctx.executor().schedule(timerTask, left, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.parser = ctx.pipeline().get(ResponseParser.class);
    }

    Backend backend() {
        return backend;
    }

    Channel channel() {
        return ctx.channel();
    }

    long idleSince() {
        return idleSince;
    }

    void idleSince(long nanos) {
        idleSince = nanos;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        backend.stats().connectionOpened();
        pool.opened(backend, ctx.channel());
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Exchange e = exchange;
        if (e != null && (msg instanceof ResponseHead || msg instanceof ResponseBody)) {
            e.onBackendRead(msg);
        } else {
            ReferenceCountUtil.release(msg);
            ctx.close();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        Exchange e = exchange;
        if (e != null) {
            e.onBackendReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Exchange e = exchange;
        if (e != null && ctx.channel().isWritable()) {
            e.onBackendWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        backend.stats().connectionClosed();
        pool.remove(backend, ctx.channel());
        Exchange e = exchange;
        exchange = null;
        if (e != null) {
            e.onBackendClosed(failure);
        }
    }

    /**
     * Closes the connection; the exchange hears of it in {@link #channelInactive}, not here. An error
     * can surface inside the exchange's own write (a reset found by the write of the request body),
     * where Netty has already closed the socket but not yet processed the rest of the current epoll
     * batch. A retry's new connection opened right here would get the file descriptor just freed, and
     * an event still pending in that batch for the old socket would be delivered to it and close it.
     * channelInactive runs in a later task, after the batch and after the old socket is deregistered.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (failure == null) {
            failure = cause;
        }
        ctx.close();
    }
}
