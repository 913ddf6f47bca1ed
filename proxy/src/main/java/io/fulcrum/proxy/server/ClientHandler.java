package io.fulcrum.proxy.server;

import io.fulcrum.proxy.accesslog.AccessEntry;
import io.fulcrum.proxy.accesslog.AccessLog;
import io.fulcrum.proxy.backend.Backend;
import io.fulcrum.proxy.backend.BackendPool;
import io.fulcrum.proxy.clock.ReadClock;
import io.fulcrum.proxy.http1.RequestBody;
import io.fulcrum.proxy.http1.RequestHead;
import io.fulcrum.proxy.http1.RequestParser;
import io.fulcrum.proxy.lb.HashKeys;
import io.fulcrum.proxy.upstream.ClientSide;
import io.fulcrum.proxy.upstream.Exchange;
import io.fulcrum.proxy.upstream.Tunnel;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: checks and routes each request, hands it to an {@link Exchange}, and
 * answers on its own when the request cannot be forwarded.
 *
 * <p>The channel does not auto-read, and this handler takes one HTTP message per {@link #requestRead}:
 * what one socket read decoded beyond that (a pipelined request, more body) waits in a small backlog
 * here, as Netty's {@code FlowControlHandler} would hold it, without a handler and its context per
 * connection. Requests are therefore taken one at a time: pipelined requests wait, decoded, until the
 * previous response is written, and are answered in order. Event-loop confined.
 */
public final class ClientHandler extends ChannelInboundHandlerAdapter implements ClientSide {

    private static final Logger log = LoggerFactory.getLogger(ClientHandler.class);

    static final int LINGER_SECONDS = 2;
    /** The name of an HTTP/1.1 connection's response encoder, once it has one ({@link #messages}). */
    static final String ENCODER = "encoder";

    private final ListenerContext listener;
    private ChannelHandlerContext ctx;
    /** The client's address as the forwarding headers write it, made at the first request. */
    private String clientIp;
    private Exchange exchange;
    private boolean keepAlive = true;
    private boolean shuttingDown;
    private boolean awaitingHead = true;
    /** Links in this loop's {@link TimeoutSweep} (HTTP/1.1 connections only), owned by the sweep. */
    ClientHandler sweepPrev;
    ClientHandler sweepNext;
    boolean swept;
    /** When bytes last arrived or a response ended: the start of client-idle. */
    private long lastActivity;
    /** When the first byte of the request head being read arrived; 0 when no head is under way. */
    private long headStart;
    /** The request being served: when its head arrived and where it was routed, for requestDone. */
    private long requestStart;
    /** The request being served, until it is logged; this handler holds its reference. */
    private RequestHead currentRequest;
    /** The request's X-Request-Id: the client's, or the one Fulcrum added ({@link #addedId}). */
    private CharSequence requestId;
    /** The X-Request-Id added to this connection's requests that came without one; made at the first. */
    private AddedRequestId addedId;
    private BackendPool requestPool;
    /** A message was asked for and none came yet. */
    private boolean wantRead;
    /**
     * HTTP/1.1: a socket read was asked for ({@link #armRead}) and no bytes came since. Netty's read
     * request stays pending until bytes come (each read of the socket clears it, and every read reaches
     * the decoder, which tells {@link #bytesArrived}; a TLS record that gives no plaintext makes the
     * SslHandler ask again itself), so asking again before then changes nothing but costs a walk down the
     * pipeline: the read at the end of every exchange was one, the socket being armed since its start.
     */
    private boolean readArmed;
    private boolean started;
    /** An HTTP/1.1 connection (not an HTTP/2 stream): it has its own socket and client timeouts. */
    private boolean http1;
    /**
     * Messages decoded but not asked for yet, oldest first; made on first use (most connections never
     * pipeline), null or empty otherwise.
     */
    private ArrayDeque<Object> backlog;
    /** {@link #deliverBacklog} is running: a nested request for a message is served by its loop. */
    private boolean delivering;
    /** Answered and closing: whatever still arrives is dropped. */
    private boolean lingering;

    public ClientHandler(ListenerContext listener) {
        this.listener = listener;
    }

    /**
     * Added to a channel that is already active after a TLS handshake (ALPN chose HTTP/1.1), or on an
     * HTTP/2 stream: start reading at once, as {@link #channelActive} does for plain connections.
     */
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            start();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.fireChannelActive();
        start();
    }

    /** The first read, exactly once. */
    private void start() {
        if (!started) {
            started = true;
            if (ctx.pipeline().get(RequestParser.class) != null) {
                // An HTTP/1.1 connection: the decoder tells us of every read, and the loop's sweep keeps its timeouts.
                http1 = true;
                lastActivity = ReadClock.now();
                TimeoutSweep.of(ctx.executor()).add(this);
            }
            requestRead();
        }
    }

    /**
     * Keeps the socket armed for reading while a request is served, without taking messages: whatever
     * arrives (a pipelined request, the client closing) is decoded and waits in the backlog. Without
     * it, a connection that does not auto-read has its read interest removed and added back around
     * every request — two epoll_ctl system calls per request. At most one socket read's worth waits
     * this way. HTTP/2 streams do not: their reads are the stream's flow control.
     */
    private void keepSocketReadArmed() {
        if (http1) {
            armRead();
        }
    }

    /** Asks for a socket read, unless one is still pending (HTTP/1.1, {@link #readArmed}). */
    private void armRead() {
        if (!readArmed) {
            readArmed = http1;
            ctx.read();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        stopTimeouts();
        dropBacklog();
        releaseRequest();
        if (exchange != null) {
            Exchange e = exchange;
            exchange = null;
            e.clientClosed();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        // Removed for a tunnel: decoded HTTP messages still waiting cannot be relayed as bytes.
        dropBacklog();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (lingering) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!wantRead || (backlog != null && !backlog.isEmpty())) {
            if (backlog == null) {
                backlog = new ArrayDeque<>(4);
            }
            backlog.add(msg);
            if (wantRead) {
                deliverBacklog();
            }
            return;
        }
        wantRead = false;
        handle(msg);
    }

    /** Hands out waiting messages while they are asked for, oldest first; a nested request is served by this loop. */
    private void deliverBacklog() {
        if (delivering) {
            return;
        }
        delivering = true;
        try {
            while (wantRead && backlog != null && !backlog.isEmpty()) {
                wantRead = false;
                handle(backlog.poll());
            }
        } finally {
            delivering = false;
        }
    }

    private void dropBacklog() {
        if (backlog != null) {
            Object msg;
            while ((msg = backlog.poll()) != null) {
                ReferenceCountUtil.release(msg);
            }
        }
    }

    private void handle(Object msg) {
        if (lingering) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof RequestHead request) {
            onRequest(request);
        } else if (msg instanceof RequestBody piece) {
            if (exchange != null) {
                exchange.onRequestContent(piece);
            } else {
                piece.release();
                if (ctx.channel().isActive()) {
                    requestRead();
                }
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onRequest(RequestHead request) {
        releaseRequest();
        currentRequest = request;
        requestId = null;
        headStart = 0;
        awaitingHead = false;
        keepSocketReadArmed();
        // Within the read that brought the head (or, for a head that waited behind the previous request,
        // the read that ended that one): the read's clock reading, no clock read of its own.
        requestStart = ReadClock.now();
        requestPool = null;
        HttpResponseStatus problem = RequestChecks.problem(request, listener.limits());
        if (problem != null) {
            // Malformed: framing cannot be trusted, so the connection ends with the answer.
            log.debug("{}: {} for {} {}", listener.name(), problem.code(), request.method(), request.uri());
            answerLocally(problem, true);
            return;
        }
        keepAlive = request.keepAlive() && !shuttingDown && !listener.clients().shuttingDown();
        boolean hasBody = request.hasBody();
        String host = request.first(RequestHead.Kind.HOST);
        BackendPool pool = listener.routes().match(request.uri(), host);
        if (pool == null) {
            // A body that would have to be read and dropped first: the connection ends with the answer instead.
            answerLocally(HttpResponseStatus.NOT_FOUND, hasBody);
            return;
        }
        requestPool = pool;
        // RequestChecks let through no Expect but 100-continue, which Fulcrum answers itself.
        boolean expectContinue = request.count(RequestHead.Kind.EXPECT) > 0;
        String upgrade = upgradeProtocol(request);
        InetSocketAddress client = (InetSocketAddress) ctx.channel().remoteAddress();
        if (clientIp == null) {
            clientIp = ForwardingHeaders.ip(client);
        }
        String clientId = request.first(RequestHead.Kind.X_REQUEST_ID);
        AddedRequestId added = null;
        if (clientId == null) {
            if (addedId == null) {
                addedId = new AddedRequestId();
            }
            added = addedId.renew();
        }
        requestId = clientId != null ? clientId : added;
        // Made per request, not kept per connection: an idle keep-alive connection should hold nothing
        // it does not need.
        ByteBuf head = ForwardingHeaders.forwardHead(ctx.alloc(), request, clientIp,
                listener.scheme(), host, added, upgrade);
        var key = pool.config().hashKey();
        long hashKey = key.isPresent() ? HashKeys.of(key.get(), request, client) : 0;
        exchange = new Exchange(this, listener.upstream().forLoop(ctx.channel().eventLoop()), request, head, pool,
                hashKey, expectContinue, hasBody, upgrade != null, listener.limits().maxRequestBodyBytes(),
                listener.events());
        exchange.start();
    }

    /**
     * The protocol an HTTP/1.1 request asks to switch to (WebSocket...), or null: an {@code Upgrade}
     * header together with the {@code upgrade} token in {@code Connection}. HTTP/2 streams cannot.
     */
    private String upgradeProtocol(RequestHead request) {
        String protocol = request.first(RequestHead.Kind.UPGRADE);
        if (protocol == null || ctx.channel() instanceof Http2StreamChannel || !request.http11()
                || !request.connectionUpgrade()) {
            return null;
        }
        return protocol;
    }

    /**
     * Answers without a backend.
     *
     * @param close end the connection after the answer; if not, the request must have had no body
     */
    private void answerLocally(HttpResponseStatus status, boolean close) {
        boolean end = close || !keepAlive;
        requestDone(null, status.code());
        answer(status, end);
        if (!end) {
            nextRequest();
        }
    }

    /** The next request, once this one was logged (requestDone read the clock). */
    private void nextRequest() {
        releaseRequest();
        requestPool = null;
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
            messages().writeAndFlush(LocalResponses.build(status, false));
            return;
        }
        lingering = true;
        messages().writeAndFlush(LocalResponses.build(status, true)).addListener(f -> lingerThenClose());
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
     * Asks for the next message: from the backlog if one waits there, else from the socket. A socket
     * read that decoded no whole message is asked for again in {@link #channelReadComplete}.
     */
    private void requestRead() {
        wantRead = true;
        if (backlog != null && !backlog.isEmpty()) {
            deliverBacklog();
        } else {
            armRead();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (wantRead && ctx.channel().isActive()) {
            armRead();
        }
    }

    private void closeAfterFlush() {
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    private void requestDone(Backend backend, int status) {
        long now = ReadClock.now();
        lastActivity = now;                         // a response ended: client-idle counts from here
        long nanos = now - requestStart;
        listener.events().requestDone(listener.name(), requestPool, backend, status, nanos);
        AccessLog accessLog = listener.accessLog();
        if (accessLog != null && currentRequest != null) {
            RequestHead r = currentRequest;
            InetSocketAddress client = (InetSocketAddress) ctx.channel().remoteAddress();
            accessLog.record(new AccessEntry(System.currentTimeMillis(), listener.name(),
                    client == null || client.getAddress() == null ? "-" : client.getAddress().getHostAddress(),
                    r.method() == null ? "-" : r.method().name(), r.uri(),
                    ctx.channel() instanceof Http2StreamChannel ? "HTTP/2.0" : r.versionText(),
                    r.first(RequestHead.Kind.HOST), r.first(RequestHead.Kind.USER_AGENT),
                    r.first(RequestHead.Kind.REFERER), requestId == null ? null : requestId.toString(), status, nanos,
                    requestPool == null ? null : requestPool.name(), backend == null ? null : backend.id()));
        }
        releaseRequest();
    }

    private void releaseRequest() {
        if (currentRequest != null) {
            currentRequest.release();
            currentRequest = null;
        }
    }

    // ---------------------------------------------------------------- ClientSide, for the exchange

    @Override
    public ChannelHandlerContext ctx() {
        return ctx;
    }

    /**
     * An HTTP/1.1 connection has no response encoder until Fulcrum writes a message of its own (an error
     * answer, 100 Continue, a 101): forwarded responses are bytes already, and an encoder and its context
     * in every pipeline cost 104 bytes per idle connection. It is added then, in front of this handler,
     * and stays; the bytes written after it pass through it as they are.
     */
    @Override
    public ChannelHandlerContext messages() {
        if (http1 && ctx.pipeline().get(ENCODER) == null) {
            ctx.pipeline().addBefore(ctx.name(), ENCODER, new ClientResponseEncoder());
        }
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
    public void tunnel(io.netty.channel.Channel backend, Backend target) {
        requestDone(target, 101);
        exchange = null;
        stopTimeouts();
        Tunnel.join(ctx.channel(), backend, target, "decoder", ENCODER, "client");
    }

    @Override
    public boolean http1() {
        return http1;
    }

    @Override
    public boolean keepAlive() {
        return keepAlive && !shuttingDown && !listener.clients().shuttingDown();
    }

    // ---------------------------------------------------------------- timeouts and shutdown

    /**
     * Bytes arrived (told by the {@link RequestParser}, before it parses them): the connection is not
     * idle, and if the bytes start a new request, its head must be complete within client-header.
     */
    void bytesArrived() {
        readArmed = false;
        if (!http1) {
            return;
        }
        long now = ReadClock.now();
        lastActivity = now;
        if (awaitingHead && headStart == 0 && exchange == null) {
            headStart = now;
        }
    }

    /**
     * Called by the loop's {@link TimeoutSweep} every {@link TimeoutSweep#PERIOD_MILLIS} ms: answers 408
     * to a head that took longer than client-header, closes a connection idle for client-idle.
     */
    void checkTimeouts(long now) {
        if (lingering || !ctx.channel().isActive()) {
            return;
        }
        if (awaitingHead && headStart != 0 && now - headStart >= listener.timeouts().clientHeader().toNanos()) {
            stopTimeouts();
            answer(HttpResponseStatus.REQUEST_TIMEOUT, true);
            return;
        }
        // client-idle: an idle keep-alive connection, or a client that stopped mid-request. A request
        // waiting for its backend is bounded by response-timeout instead.
        if (exchange == null && now - lastActivity >= listener.timeouts().clientIdle().toNanos()) {
            stopTimeouts();
            ctx.close();
        }
    }

    private void stopTimeouts() {
        if (swept) {
            TimeoutSweep.of(ctx.executor()).remove(this);
        }
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
        if (exchange == null) {
            ctx.close();
        }
    }
}
