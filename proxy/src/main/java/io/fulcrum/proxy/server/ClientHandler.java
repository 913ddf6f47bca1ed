package io.fulcrum.proxy.server;

import io.fulcrum.proxy.backend.Backend;
import io.fulcrum.proxy.backend.BackendPool;
import io.fulcrum.proxy.lb.HashKeys;
import io.fulcrum.proxy.upstream.ClientSide;
import io.fulcrum.proxy.upstream.Exchange;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: checks and routes each request, hands it to an {@link Exchange}, and
 * answers on its own when the request cannot be forwarded.
 *
 * <p>The channel does not auto-read and a {@code FlowControlHandler} sits before this handler, so
 * each {@code read()} yields one HTTP message. Requests are therefore taken one at a time:
 * pipelined requests wait, decoded, until the previous response is written, and are answered in
 * order. Event-loop confined.
 */
public final class ClientHandler extends ChannelInboundHandlerAdapter implements ClientSide {

    private static final Logger log = LoggerFactory.getLogger(ClientHandler.class);

    static final int LINGER_SECONDS = 2;

    private final ListenerContext listener;
    private ChannelHandlerContext ctx;
    private Exchange exchange;
    /** A request answered locally: its remaining (empty) body is read and dropped. */
    private boolean discarding;
    private boolean keepAlive = true;
    private boolean shuttingDown;
    private boolean awaitingHead = true;
    private ScheduledFuture<?> headerTimer;
    /** The request being served: when its head arrived and where it was routed, for requestDone. */
    private long requestStart;
    private BackendPool requestPool;
    /** A read() was asked for and no message came yet. */
    private boolean wantRead;
    /** Answered and closing: whatever still arrives is dropped. */
    private boolean lingering;
    /** Counted in the connection limits (a connection over max-connections never is). */
    private boolean counted;

    public ClientHandler(ListenerContext listener) {
        this.listener = listener;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!listener.clients().open(ctx.channel())) {
            log.warn("listener {}: max-connections reached, closing new connection", listener.name());
            ctx.close();
            return;
        }
        counted = true;
        listener.connectionOpened();
        ctx.fireChannelActive();
        requestRead();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (counted) {
            listener.clients().closed();
            listener.connectionClosed();
        }
        cancelHeaderTimer();
        if (exchange != null) {
            Exchange e = exchange;
            exchange = null;
            e.clientClosed();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        wantRead = false;
        if (lingering) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof HttpRequest request) {
            try {
                onRequest(request);
            } finally {
                // A request that failed to decode arrives as a full request with (empty) content.
                if (msg instanceof HttpContent) {
                    ReferenceCountUtil.release(msg);
                }
            }
        } else if (msg instanceof HttpContent piece) {
            if (exchange != null) {
                exchange.onRequestContent(piece);
            } else {
                piece.release();
                if (discarding && piece instanceof LastHttpContent) {
                    discarding = false;
                    nextRequest();
                } else if (ctx.channel().isActive()) {
                    requestRead();
                }
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onRequest(HttpRequest request) {
        cancelHeaderTimer();
        awaitingHead = false;
        requestStart = System.nanoTime();
        requestPool = null;
        HttpResponseStatus problem = RequestChecks.problem(request, listener.limits());
        if (problem != null) {
            // Malformed: framing cannot be trusted, so the connection ends with the answer.
            log.debug("{}: {} for {} {}", listener.name(), problem.code(), request.method(), request.uri());
            answerLocally(problem, true, false);
            return;
        }
        keepAlive = HttpUtil.isKeepAlive(request) && !shuttingDown && !listener.clients().shuttingDown();
        boolean hasBody = RequestChecks.hasBody(request);
        HttpHeaders headers = request.headers();
        String host = headers.get(HttpHeaderNames.HOST);
        BackendPool pool = listener.routes().match(request.uri(), host);
        if (pool == null) {
            answerLocally(HttpResponseStatus.NOT_FOUND, hasBody, !hasBody);
            return;
        }
        requestPool = pool;
        boolean expectContinue = HttpUtil.is100ContinueExpected(request);
        headers.remove(HttpHeaderNames.EXPECT);
        ForwardingHeaders.stripHopByHop(headers);
        InetSocketAddress client = (InetSocketAddress) ctx.channel().remoteAddress();
        ForwardingHeaders.addForwarded(headers, client, listener.scheme(), host);
        var key = pool.config().hashKey();
        long hashKey = key.isPresent() ? HashKeys.of(key.get(), request, client) : 0;
        exchange = new Exchange(this, listener.upstream().forLoop(ctx.channel().eventLoop()), request, pool,
                hashKey, expectContinue, hasBody, listener.limits().maxRequestBodyBytes(), listener.events());
        exchange.start();
    }

    /**
     * Answers without a backend.
     *
     * @param close   end the connection after the answer
     * @param discard keep the connection: read and drop the rest of this request first
     */
    private void answerLocally(HttpResponseStatus status, boolean close, boolean discard) {
        boolean end = close || !keepAlive;
        requestDone(null, status.code());
        answer(status, end);
        if (!end && discard) {
            discarding = true;
            requestRead();
        }
    }

    private void nextRequest() {
        if (!keepAlive || shuttingDown) {
            closeAfterFlush();
            return;
        }
        awaitingHead = true;
        requestRead();
    }

    /** Writes one of Fulcrum's own answers; with {@code close}, the connection then ends gently. */
    private void answer(HttpResponseStatus status, boolean close) {
        if (!close) {
            ctx.writeAndFlush(LocalResponses.build(status, false));
            return;
        }
        lingering = true;
        ctx.writeAndFlush(LocalResponses.build(status, true)).addListener(f -> lingerThenClose());
    }

    /**
     * The client may still be sending (a body we refused, the rest of a malformed request). Closing a
     * socket with unread input makes the kernel reset it, which can destroy our answer before the
     * client reads it. So: shut our side (the client reads the answer, then EOF), read and drop what
     * still comes, and close when the client does or after {@link #LINGER_SECONDS} (NGINX's lingering close).
     */
    private void lingerThenClose() {
        if (ctx.channel() instanceof DuplexChannel duplex && ctx.channel().isActive()) {
            duplex.shutdownOutput();
            ctx.channel().config().setAutoRead(true);
            ctx.executor().schedule(() -> ctx.close(), LINGER_SECONDS, TimeUnit.SECONDS);
        } else {
            ctx.close();
        }
    }

    /**
     * Asks for the next message. A read that ends with channelReadComplete and no message (the
     * FlowControlHandler counts it as satisfied) is asked for again in {@link #channelReadComplete}.
     */
    private void requestRead() {
        wantRead = true;
        ctx.read();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (wantRead && ctx.channel().isActive()) {
            ctx.read();
        }
    }

    private void closeAfterFlush() {
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    private void requestDone(Backend backend, int status) {
        listener.events().requestDone(listener.name(), requestPool, backend, status, System.nanoTime() - requestStart);
    }

    // ---------------------------------------------------------------- ClientSide, for the exchange

    @Override
    public ChannelHandlerContext ctx() {
        return ctx;
    }

    @Override
    public void readRequestBody() {
        requestRead();
    }

    @Override
    public void exchangeFinished(boolean requestFullyRead) {
        requestDone(exchange.backend(), exchange.status());
        exchange = null;
        if (!requestFullyRead) {
            closeAfterFlush();
        } else {
            nextRequest();
        }
    }

    @Override
    public void exchangeFailed(HttpResponseStatus status, boolean requestFullyRead) {
        exchange = null;
        requestDone(null, status.code());
        boolean close = !requestFullyRead || !keepAlive || shuttingDown;
        answer(status, close);
        if (!close) {
            awaitingHead = true;
            requestRead();
        }
    }

    @Override
    public void exchangeBroken() {
        requestDone(exchange.backend(), exchange.status());
        exchange = null;
        ctx.close();
    }

    @Override
    public boolean keepAlive() {
        return keepAlive && !shuttingDown;
    }

    // ---------------------------------------------------------------- timeouts and shutdown

    /** Raw bytes arrived: if they start a new request, its head must be complete in client-header time. */
    void bytesArrived() {
        if (awaitingHead && headerTimer == null && exchange == null) {
            long ms = listener.timeouts().clientHeader().toMillis();
            headerTimer = ctx.executor().schedule(this::headerTimedOut, ms, TimeUnit.MILLISECONDS);
        }
    }

    private void headerTimedOut() {
        headerTimer = null;
        if (awaitingHead && ctx.channel().isActive()) {
            answer(HttpResponseStatus.REQUEST_TIMEOUT, true);
        }
    }

    private void cancelHeaderTimer() {
        if (headerTimer != null) {
            headerTimer.cancel(false);
            headerTimer = null;
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            // client-idle: an idle keep-alive connection, or a client that stopped mid-request.
            // A request waiting for its backend is bounded by response-timeout instead.
            if (exchange == null) {
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (exchange != null && ctx.channel().isWritable()) {
            exchange.onClientWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("{}: client connection error: {}", listener.name(), cause.toString());
        ctx.close();
    }

    /** Graceful shutdown: close now if idle, else after the response in progress. */
    void shutdown() {
        shuttingDown = true;
        if (exchange == null && !discarding) {
            ctx.close();
        }
    }
}
