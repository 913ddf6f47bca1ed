package io.fulcrum.proxy.upstream;

import io.fulcrum.proxy.backend.Backend;
import io.fulcrum.proxy.backend.BackendPool;
import io.fulcrum.proxy.backend.WaitQueue;
import io.fulcrum.proxy.clock.ReadClock;
import io.fulcrum.proxy.config.PoolConfig;
import io.fulcrum.proxy.http1.BodyFraming;
import io.fulcrum.proxy.http1.RequestBody;
import io.fulcrum.proxy.http1.RequestHead;
import io.fulcrum.proxy.http1.ResponseBody;
import io.fulcrum.proxy.http1.ResponseHead;
import io.fulcrum.proxy.http1.ResponseHeadEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.ScheduledFuture;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One request forwarded to a backend: pick, connect (or reuse a pooled connection), send the head
 * and stream the body, relay the response, retry on another backend when that is safe.
 *
 * <p>Threading: confined to the client channel's event loop; the backend channel is opened on the
 * same loop, so no method here needs a lock.
 *
 * <p>Backpressure (the Netty proxy recipe): neither channel auto-reads. A request body piece is
 * read from the client only while the backend channel is writable, and the backend is read only
 * while the client channel is writable; a slow side therefore holds the bytes in its own socket
 * buffers, not in Fulcrum's heap.
 *
 * <p>Retries (SPEC section 6): a failed connect goes to another backend; an idempotent request also
 * when the backend closed before any response byte. A body is replayed only if every piece read so
 * far is still kept (at most {@code retry-buffer-bytes}). Never after the response started.
 */
public final class Exchange implements ChannelFutureListener, WaitQueue.Waiter {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Exchange.class);

    private final ClientSide client;
    private final LoopConnections connections;
    /** The request's method and target, and whether the client speaks HTTP/1.1 (else 1.0). */
    private final HttpMethod method;
    private final String uri;
    private final boolean http11Client;
    /** The request head as the backend gets it, written again for each attempt; released once the response starts. */
    private ByteBuf requestHead;
    private final BackendPool pool;
    private final PoolConfig config;
    private final long hashKey;
    private final boolean idempotent;
    private final boolean expectContinue;
    private final boolean hasBody;
    /** The request asked to switch protocols (Upgrade): a 101 answer turns the connection into a tunnel. */
    private final boolean upgrade;
    private final long maxBodyBytes;
    private final ExchangeEvents events;
    /** When the current attempt started, and how long it took to the response head (-1 before it). */
    private long attemptStart;
    private long headLatency = -1;

    /** max-connections-per-backend of the pool when the request arrived; 0 = no limit, no queue. */
    private final int slotLimit;
    /**
     * Set while queued for a slot; cleared exactly once by whoever takes the request out (see claim).
     * A volatile field with a VarHandle rather than an AtomicBoolean: one object less per request.
     */
    private volatile boolean queued;
    private static final VarHandle QUEUED;

    static {
        try {
            QUEUED = MethodHandles.lookup().findVarHandle(Exchange.class, "queued", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    private ScheduledFuture<?> queueTimer;

    private int retriesLeft;
    private Backend backend;
    private Backend failedBackend;
    private boolean backendCounted;
    private Channel channel;
    private BackendHandler handler;
    private boolean connecting;

    /** Body pieces kept for a replay; null once the body outgrew the retry buffer. */
    private ArrayDeque<RequestBody> replay;
    /** Body pieces that arrived before any connection was ready and are not in {@link #replay}. */
    private ArrayDeque<RequestBody> pending;
    private int replayBytes;
    private long bodyBytes;
    private int piecesRead;
    private boolean requestComplete;
    private boolean continueSent;

    private boolean responseStarted;
    /**
     * The client is an HTTP/1.1 connection: the response goes to it as the backend's bytes (head lines
     * copied, body framing kept), not through Netty's encoder. HTTP/2 streams get Netty objects.
     */
    private final boolean rawResponse;
    /** A close-delimited body is sent to the client re-framed as chunks (raw responses only). */
    private boolean chunkResponse;
    /**
     * Bodies of at most this many bytes (by Content-Length) go to the client in their head's buffer:
     * one outbound entry and one pipeline write instead of two, for the small answers most requests get.
     */
    private static final int COALESCED_BODY_BYTES = 2048;
    /** The response head, not written yet: its small body may still join it (raw responses only). */
    private ByteBuf heldResponseHead;
    private boolean backendReusable;
    private boolean done;
    private boolean pendingClientRead;
    private boolean pendingBackendRead;
    private int status;

    /**
     * @param request the client's request head (read here, not kept: the client handler releases it)
     * @param head    the head to send, already rewritten for the backend; the exchange owns it
     * @param hasBody whether a body follows (Content-Length &gt; 0 or chunked)
     */
    public Exchange(ClientSide client, LoopConnections connections, RequestHead request, ByteBuf head, BackendPool pool,
                    long hashKey, boolean expectContinue, boolean hasBody, boolean upgrade, long maxBodyBytes,
                    ExchangeEvents events) {
        this.upgrade = upgrade;
        this.client = client;
        this.connections = connections;
        this.method = request.method();
        this.uri = request.uri();
        this.http11Client = request.http11();
        this.requestHead = head;
        this.pool = pool;
        this.config = pool.config();
        this.hashKey = hashKey;
        this.idempotent = isIdempotent(method);
        this.expectContinue = expectContinue;
        this.hasBody = hasBody;
        this.maxBodyBytes = maxBodyBytes;
        this.events = events;
        this.retriesLeft = config.retries();
        this.rawResponse = client.http1();
        this.slotLimit = config.maxConnectionsPerBackend();
        if (hasBody && config.retryBufferBytes() > 0) {
            replay = new ArrayDeque<>(4);
        }
        // A request without a body is its head alone: no piece will come to say it ended.
        this.requestComplete = !hasBody;
    }

    static boolean isIdempotent(HttpMethod m) {
        return m == HttpMethod.GET || m == HttpMethod.HEAD || m == HttpMethod.OPTIONS
                || m == HttpMethod.PUT || m == HttpMethod.DELETE;
    }

    /** The balancing decision with every candidate's load (TRACE only: built only when enabled). */
    private void traceDecision(Backend chosen) {
        StringBuilder candidates = new StringBuilder();
        for (Backend c : pool.backends()) {
            candidates.append(' ').append(c.id()).append("[w=").append(c.effectiveWeight())
                    .append(" inflight=").append(c.stats().inFlight()).append(' ')
                    .append(c.isSelectable() ? "ok" : "out").append(']');
        }
        log.trace("pool {} {}: {} {} -> {}{}", pool.name(), config.strategy(), method, uri,
                chosen.id(), failedBackend == null ? "" : " (retry after " + failedBackend.id() + ")");
        log.trace("pool {} candidates:{}", pool.name(), candidates);
    }

    private Backend failedOrCurrent() {
        return backend != null ? backend : failedBackend;
    }

    /** The backend currently serving the request, or null. */
    public Backend backend() {
        return backend;
    }

    /** The status the backend answered, 0 before the response head. */
    public int status() {
        return status;
    }

    public void start() {
        attempt();
    }

    // ---------------------------------------------------------------- backend choice and connect

    private void attempt() {
        Backend previous = failedBackend;
        Predicate<Backend> avoid = previous == null ? null : notSame(previous);
        if (slotLimit > 0) {
            attemptWithinLimit(avoid);
            return;
        }
        Backend b = pool.select(hashKey, avoid);
        if (b == null && previous != null) {
            // Never the same backend twice in a row, unless it is the only one left.
            b = pool.select(hashKey, null);
        }
        if (b == null) {
            fail(HttpResponseStatus.SERVICE_UNAVAILABLE);
            return;
        }
        b.stats().requestStarted();
        go(b);
    }

    /**
     * HAProxy's maxconn and queue: take a slot on a backend with room, or wait in the pool's queue
     * (FIFO, up to max-queue, for up to queue-timeout) for the next slot a finishing request frees.
     * Newcomers queue behind waiters instead of taking a slot that is about to be handed over.
     */
    private void attemptWithinLimit(Predicate<Backend> avoid) {
        WaitQueue queue = pool.waitQueue();
        if (queue.isEmpty() && tryTakeSlot(avoid)) {
            return;
        }
        if (pool.select(hashKey, null) == null) {
            fail(HttpResponseStatus.SERVICE_UNAVAILABLE);
            return;
        }
        queued = true;
        if (!queue.offer(this, config.maxQueue())) {
            queued = false;
            fail(HttpResponseStatus.SERVICE_UNAVAILABLE);
            return;
        }
        long ms = config.queueTimeout().toMillis();
        queueTimer = client.ctx().executor().schedule(this::onQueueTimeout, ms, TimeUnit.MILLISECONDS);
        // Every slot may have been freed between the check above and the offer, with nobody queued to
        // hand it to: look once more, now that we are visible in the queue.
        Backend b = pool.selectWithCapacity(hashKey, null);
        if (b != null && b.stats().tryStart(slotLimit)) {
            if (claim()) {
                queue.remove(this);
                cancelQueueTimer();
                go(b);
            } else {
                returnUnusedSlot(b);
            }
        }
    }

    private boolean tryTakeSlot(Predicate<Backend> avoid) {
        Backend b = pool.selectWithCapacity(hashKey, avoid);
        if (b == null && avoid != null) {
            b = pool.selectWithCapacity(hashKey, null);
        }
        if (b != null && b.stats().tryStart(slotLimit)) {
            go(b);
            return true;
        }
        return false;
    }

    @Override
    public boolean claim() {
        return QUEUED.compareAndSet(this, true, false);
    }

    /** A freed slot on {@code b} is ours (counted in its in-flight already). Any thread. */
    @Override
    public void dispatch(Backend b) {
        client.ctx().executor().execute(() -> {
            cancelQueueTimer();
            if (done) {
                // The client left while the slot was on its way: pass it on.
                returnUnusedSlot(b);
            } else {
                go(b);
            }
        });
    }

    private void onQueueTimeout() {
        queueTimer = null;
        if (claim()) {
            pool.waitQueue().remove(this);
            fail(HttpResponseStatus.SERVICE_UNAVAILABLE);
        }
    }

    private void cancelQueueTimer() {
        if (queueTimer != null) {
            queueTimer.cancel(false);
            queueTimer = null;
        }
    }

    /**
     * Ends an attempt's hold on a slot of {@code b}: hands it to the longest waiter if there is one (and
     * the backend still takes requests), else frees it.
     */
    private void freeSlot(Backend b, long latencyNanos, boolean failure) {
        if (slotLimit > 0 && b.isSelectable() && pool.waitQueue().handOver(b)) {
            b.stats().requestHandedOver(latencyNanos, failure);
        } else {
            b.stats().requestEnded(latencyNanos, failure);
        }
    }

    /** Gives back a slot taken but never used (it was handed to us twice): no latency to record. */
    private void returnUnusedSlot(Backend b) {
        if (!(b.isSelectable() && pool.waitQueue().handOver(b))) {
            b.stats().cancelStart();
        }
    }

    /** Sends the request to {@code b}, whose in-flight count already includes it. */
    private void go(Backend b) {
        if (log.isTraceEnabled()) {
            traceDecision(b);
        }
        backend = b;
        backendCounted = true;
        // Within the read that brought the head (or the response before it), no clock read of its own.
        attemptStart = ReadClock.now();
        headLatency = -1;
        BackendHandler idle = connections.poll(b);
        if (idle != null) {
            onConnected(idle.channel(), idle, true);
            return;
        }
        connecting = true;
        int timeout = (int) Math.min(Integer.MAX_VALUE, config.connectTimeout().toMillis());
        connections.connect(b, timeout).addListener(this);
    }

    private static Predicate<Backend> notSame(Backend failed) {
        return b -> b != failed;
    }

    /** Connect finished. */
    @Override
    public void operationComplete(ChannelFuture f) {
        connecting = false;
        if (done) {
            if (f.isSuccess()) {
                f.channel().close();
            }
            return;
        }
        if (f.isSuccess()) {
            onConnected(f.channel(), f.channel().pipeline().get(BackendHandler.class), false);
        } else {
            endAttempt(true);
            log.debug("connect to {} failed: {}", failedOrCurrent(), f.cause().toString());
            boolean timedOut = f.cause() instanceof ConnectTimeoutException;
            retryOrFail(canReplay(), timedOut ? HttpResponseStatus.GATEWAY_TIMEOUT : HttpResponseStatus.BAD_GATEWAY);
        }
    }

    /**
     * @param pooled the connection came from the idle pool, whose socket read is pending since
     *               {@link LoopConnections#release} (any bytes since would have closed it or made it
     *               not {@link BackendHandler#reusable}): asking again would only walk the pipeline
     */
    private void onConnected(Channel ch, BackendHandler h, boolean pooled) {
        channel = ch;
        handler = h;
        handler.bind(this, method == HttpMethod.HEAD, rawResponse);
        if (expectContinue && !continueSent) {
            continueSent = true;
            client.messages().writeAndFlush(
                    new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        }
        // The head itself, not a duplicate: one derived buffer less per request. A backend connection
        // moves its reader index only by a partial write, and a retry comes only once that connection
        // is closed and has let go of it: each attempt sends the head from its start.
        ByteBuf head = requestHead.readerIndex(0).retain();
        if (requestComplete && replay == null && pending == null) {
            // A request without a body: its head is all there is, in one write and flush.
            ch.writeAndFlush(head, ch.voidPromise());
        } else {
            ch.write(head, ch.voidPromise());
            if (replay != null) {
                for (RequestBody piece : replay) {
                    ch.write(piece.content().retainedDuplicate(), ch.voidPromise());
                }
            }
            if (pending != null) {
                RequestBody piece;
                while ((piece = pending.poll()) != null) {
                    writeBody(ch, piece);
                }
            }
            ch.flush();
        }
        if (requestComplete) {
            requestSent();
        } else {
            pendingClientRead = false;              // a read held for the failed connection is this one
            client.readRequestBody();
        }
        if (!pooled) {
            ch.read();
        }
    }

    // ---------------------------------------------------------------- request body, client → backend

    /** A piece of the request body from the client; this exchange owns it now. */
    public void onRequestContent(RequestBody piece) {
        if (done) {
            piece.release();
            return;
        }
        piecesRead++;
        bodyBytes += piece.dataBytes();
        if (maxBodyBytes > 0 && bodyBytes > maxBodyBytes) {
            piece.release();
            abortBackend();
            fail(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
            return;
        }
        boolean last = piece.last();
        if (last) {
            requestComplete = true;
        }
        keepForReplay(piece);
        if (channel == null) {
            // No connection yet (first connect, or between a failed attempt and the next one).
            if (replay != null) {
                piece.release();                     // it goes out with the replay
            } else if (failedBackend == null) {
                pending().add(piece);                // nothing of the body was sent anywhere yet
            } else {
                // Part of the body went to a failed backend and was not kept: it cannot be sent whole.
                piece.release();
                fail(HttpResponseStatus.BAD_GATEWAY);
            }
            return;
        }
        writeBody(channel, piece);
        channel.flush();
        if (last) {
            requestSent();
        } else if (channel.isWritable()) {
            client.readRequestBody();
        } else {
            pendingClientRead = true;
        }
    }

    /** A body piece goes to the backend as the client framed it; a piece without bytes (an empty last DATA frame) is not written. */
    private static void writeBody(Channel ch, RequestBody piece) {
        ByteBuf bytes = piece.content();
        if (bytes.isReadable()) {
            ch.write(bytes, ch.voidPromise());
        } else {
            bytes.release();
        }
    }

    private void keepForReplay(RequestBody piece) {
        if (replay == null) {
            return;
        }
        int size = piece.content().readableBytes();
        if (replayBytes + size > config.retryBufferBytes()) {
            if (channel == null && failedBackend == null) {
                // Not connected yet: what was kept was never sent, so it becomes the pending body.
                RequestBody kept;
                while ((kept = replay.poll()) != null) {
                    pending().add(kept);
                }
            }
            releaseReplay();
            return;
        }
        replayBytes += size;
        replay.add(piece.retainedDuplicate());
    }

    /** Whether the request can be sent again in full: no body, nothing of it read yet, or all of it kept. */
    private ArrayDeque<RequestBody> pending() {
        if (pending == null) {
            pending = new ArrayDeque<>(2);
        }
        return pending;
    }

    private boolean canReplay() {
        return !hasBody || piecesRead == 0 || replay != null;
    }

    private void requestSent() {
        if (!responseStarted && handler != null) {
            handler.expectResponseWithin(config.responseTimeout().toNanos());
        }
    }

    /** The backend channel can take more: resume reading the request body. */
    void onBackendWritable() {
        if (pendingClientRead && !done) {
            pendingClientRead = false;
            client.readRequestBody();
        }
    }

    // ---------------------------------------------------------------- response, backend → client

    /** What the backend connection's {@link io.fulcrum.proxy.http1.ResponseParser} read: a head or a body piece. */
    void onBackendRead(Object msg) {
        if (done) {
            io.netty.util.ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof ResponseHead head) {
            try {
                onResponseHead(head);
            } finally {
                head.release();
            }
        } else if (msg instanceof ResponseBody piece) {
            onResponseBody(piece);
        } else {
            io.netty.util.ReferenceCountUtil.release(msg);
        }
    }

    private void onResponseHead(ResponseHead head) {
        int code = head.status();
        if (code == 101) {
            if (upgrade) {
                switchProtocols(head);
            } else {
                // Switching protocols nobody asked for: the connection is no longer HTTP.
                log.debug("backend {} switched protocols unasked", backend);
                abortBackend();
                endAttempt(true);
                fail(HttpResponseStatus.BAD_GATEWAY);
            }
            return;
        }
        if (code < 200) {
            // 100 Continue and other interim answers: Fulcrum answered Expect itself.
            return;
        }
        startResponse(head);
    }

    private void onResponseBody(ResponseBody piece) {
        if (!responseStarted) {
            piece.release();
            return;
        }
        boolean last = piece.last();
        ChannelHandlerContext out = client.ctx();
        if (!rawResponse) {
            ByteBuf bytes = piece.content();
            out.write(last ? new DefaultLastHttpContent(bytes) : new DefaultHttpContent(bytes), out.voidPromise());
        } else if (chunkResponse) {
            writeChunk(out, piece.content(), last);
        } else if (heldResponseHead != null) {
            ByteBuf head = heldResponseHead;
            heldResponseHead = null;
            ByteBuf bytes = piece.content();
            if (last && bytes.readableBytes() <= head.writableBytes()) {
                head.writeBytes(bytes);
                bytes.release();
                out.write(head, out.voidPromise());
            } else {
                out.write(head, out.voidPromise());
                out.write(bytes, out.voidPromise());
            }
        } else {
            out.write(piece.content(), out.voidPromise());
        }
        if (last) {
            out.flush();
            finish();
        }
    }

    /** Writes the held head on its own: its body did not come with it. */
    private void writeHeldHead() {
        if (heldResponseHead != null) {
            ChannelHandlerContext out = client.ctx();
            out.write(heldResponseHead, out.voidPromise());
            heldResponseHead = null;
        }
    }

    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = {'0', '\r', '\n', '\r', '\n'};

    /** One piece of a close-delimited body as a chunk (RFC 9112 section 7.1); the last one ends the chunks. */
    private static void writeChunk(ChannelHandlerContext out, ByteBuf data, boolean last) {
        int size = data.readableBytes();
        if (size > 0) {
            ByteBuf sizeLine = out.alloc().ioBuffer(12);
            ByteBufUtil.writeAscii(sizeLine, Integer.toHexString(size));
            sizeLine.writeBytes(CRLF);
            out.write(sizeLine, out.voidPromise());
            out.write(data, out.voidPromise());
            out.write(out.alloc().ioBuffer(2).writeBytes(CRLF), out.voidPromise());
        } else {
            data.release();
        }
        if (last) {
            out.write(out.alloc().ioBuffer(5).writeBytes(LAST_CHUNK), out.voidPromise());
        }
    }

    private void startResponse(ResponseHead head) {
        headLatency = ReadClock.now() - attemptStart;
        cancelTimer();
        releaseReplay();
        releaseHead();
        status = head.status();
        responseStarted = true;
        backendReusable = head.keepAlive();
        boolean closeClient = !client.keepAlive();
        boolean http10Client = !http11Client;
        boolean reframe = false;
        if (head.framing() == BodyFraming.CLOSE) {
            // A body delimited by the backend closing: re-frame it as chunked, or close after it.
            if (http10Client) {
                closeClient = true;
            } else {
                reframe = true;
            }
        }
        if (rawResponse) {
            chunkResponse = reframe;
            ChannelHandlerContext out = client.ctx();
            boolean keepAlive10 = !closeClient && http10Client;
            if (head.complete()) {
                writeCompleteResponse(out, head, closeClient, keepAlive10);
                return;
            }
            long length = head.contentLength();
            boolean small = head.framing() == BodyFraming.LENGTH && length > 0 && length <= COALESCED_BODY_BYTES;
            ByteBuf bytes = ResponseHeadEncoder.encode(out.alloc(), head, closeClient, keepAlive10, reframe,
                    small ? (int) length : 0);
            if (small) {
                heldResponseHead = bytes;
            } else {
                out.write(bytes, out.voidPromise());
            }
            return;
        }
        HttpResponse response = head.toHttpResponse(true);
        if (reframe) {
            HttpUtil.setTransferEncodingChunked(response, true);
        }
        if (closeClient) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (http10Client) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        ChannelHandlerContext out = client.ctx();
        out.write(response, out.voidPromise());
        if (head.complete()) {
            out.writeAndFlush(new DefaultLastHttpContent(head.retainedBody()), out.voidPromise());
            finish();
        }
    }

    /**
     * A response that came whole with its head (no body, or all of its Content-Length body in the read):
     * as it came, in one buffer that is a slice of the read, when the head needs no change; else the head
     * written again with a small body behind it in the same buffer, or a larger body in a write of its own.
     * Then the exchange ends: no body piece will follow.
     */
    private void writeCompleteResponse(ChannelHandlerContext out, ResponseHead head, boolean closeClient,
                                       boolean keepAlive10) {
        int body = head.bodyLength();
        // writeAndFlush: one walk down the pipeline, not one for the write and one for the flush.
        if (ResponseHeadEncoder.asItCame(head, closeClient, keepAlive10, false)) {
            out.writeAndFlush(head.retainedMessage(), out.voidPromise());
        } else if (body <= COALESCED_BODY_BYTES) {
            ByteBuf bytes = ResponseHeadEncoder.encode(out.alloc(), head, closeClient, keepAlive10, false, body);
            head.writeBodyTo(bytes);
            out.writeAndFlush(bytes, out.voidPromise());
        } else {
            out.write(ResponseHeadEncoder.encode(out.alloc(), head, closeClient, keepAlive10, false), out.voidPromise());
            out.writeAndFlush(head.retainedBody(), out.voidPromise());
        }
        finish();
    }

    /**
     * The backend accepted the upgrade: pass its 101 on with the Upgrade headers it chose, end the
     * exchange, and hand both connections to a {@link Tunnel}.
     */
    private void switchProtocols(ResponseHead head) {
        cancelTimer();
        releaseReplay();
        releaseHead();
        status = 101;
        responseStarted = true;
        String protocol = head.header("upgrade");
        HttpResponse response = head.toHttpResponse(true);
        if (protocol != null) {
            response.headers().set(HttpHeaderNames.UPGRADE, protocol);
        }
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        client.messages().writeAndFlush(response);
        done = true;
        endAttempt(false);
        handler.unbind();
        Channel tunnelled = channel;
        channel = null;
        handler = null;
        // The tunnel takes the pipeline's BackendHandler away, and with it the pool's notice of the
        // close: the pool still counts the connection as open (a forced removal cuts it) until then.
        LoopConnections pool = connections;
        Backend target = backend;
        tunnelled.closeFuture().addListener(f -> pool.remove(target, tunnelled));
        client.tunnel(tunnelled, backend);
    }

    void onBackendReadComplete() {
        if (done) {
            return;
        }
        if (responseStarted) {
            writeHeldHead();
            client.ctx().flush();
        }
        if (client.ctx().channel().isWritable()) {
            channel.read();
        } else {
            pendingBackendRead = true;
        }
    }

    /** The client channel can take more: resume reading the response. */
    public void onClientWritable() {
        if (pendingBackendRead && !done && channel != null) {
            pendingBackendRead = false;
            channel.read();
        }
    }

    private void finish() {
        done = true;
        cancelTimer();
        releaseBuffers();
        endAttempt(status >= 500);
        handler.unbind();
        if (backendReusable && requestComplete && channel.isActive() && handler.reusable()) {
            connections.release(backend, handler);
        } else {
            channel.close();
        }
        channel = null;
        handler = null;
        client.exchangeFinished(requestComplete);
    }

    // ---------------------------------------------------------------- failures

    /** The backend connection closed or failed while this exchange owned it. */
    void onBackendClosed(Throwable cause) {
        if (done) {
            return;
        }
        log.debug("backend {} closed before the response ended: {}", backend, cause == null ? "EOF" : cause.toString());
        channel = null;
        handler = null;
        cancelTimer();
        endAttempt(true);
        if (responseStarted) {
            done = true;
            releaseBuffers();
            client.exchangeBroken();
            return;
        }
        retryOrFail(idempotent && canReplay(), HttpResponseStatus.BAD_GATEWAY);
    }

    /** No response head within response-timeout (called by the connection's {@link BackendHandler}). */
    void onResponseTimeout() {
        if (done || responseStarted) {
            return;
        }
        abortBackend();
        endAttempt(true);
        fail(HttpResponseStatus.GATEWAY_TIMEOUT);
    }

    private void retryOrFail(boolean retryable, HttpResponseStatus otherwise) {
        failedBackend = backend;
        backend = null;
        if (retryable && retriesLeft > 0) {
            retriesLeft--;
            events.retried(pool);
            attempt();
        } else {
            fail(otherwise);
        }
    }

    private void fail(HttpResponseStatus answer) {
        done = true;
        cancelTimer();
        releaseBuffers();
        if (backendCounted) {
            endAttempt(false);
        }
        status = answer.code();
        client.exchangeFailed(answer, requestComplete);
    }

    /** The client went away: stop everything, close the backend connection (its state is unknown). */
    public void clientClosed() {
        if (done) {
            return;
        }
        done = true;
        if (claim()) {
            pool.waitQueue().remove(this);
        }
        cancelQueueTimer();
        cancelTimer();
        releaseBuffers();
        abortBackend();
        if (backendCounted) {
            endAttempt(false);
        }
    }

    private void abortBackend() {
        if (channel != null) {
            handler.unbind();
            channel.close();
            channel = null;
            handler = null;
        }
    }

    /** Counts the end of the current attempt on its backend, once. */
    private void endAttempt(boolean failure) {
        if (!backendCounted) {
            return;
        }
        backendCounted = false;
        // Latency to the response head, what peak-EWMA balances on; to the failure when there was none.
        freeSlot(backend, headLatency >= 0 ? headLatency : ReadClock.now() - attemptStart, failure);
        events.backendResult(backend, failure);
    }

    private void cancelTimer() {
        if (handler != null) {
            handler.responseArrived();
        }
    }

    /** No attempt will be made any more (the response started, or the exchange ended): the head goes. */
    private void releaseHead() {
        if (requestHead != null) {
            requestHead.release();
            requestHead = null;
        }
    }

    private void releaseReplay() {
        if (replay != null) {
            RequestBody piece;
            while ((piece = replay.poll()) != null) {
                piece.release();
            }
            replay = null;
        }
    }

    private void releaseBuffers() {
        if (heldResponseHead != null) {
            heldResponseHead.release();
            heldResponseHead = null;
        }
        releaseHead();
        releaseReplay();
        if (pending != null) {
            RequestBody piece;
            while ((piece = pending.poll()) != null) {
                piece.release();
            }
        }
    }
}
