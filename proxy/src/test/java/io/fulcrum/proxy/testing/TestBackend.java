package io.fulcrum.proxy.testing;

import io.fulcrum.proxy.config.HostPort;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP/1.1 backend on 127.0.0.1 (or a host given), port 0, for end-to-end tests. What it does
 * depends on the path:
 * <ul>
 *   <li>{@code /bytes/N} streams N bytes as a chunked body, with backpressure, never holding it whole;</li>
 *   <li>{@code /upload} counts the request body as it streams in and answers the count;</li>
 *   <li>{@code /status/N} answers status N;</li>
 *   <li>{@code /slow/MS} answers after MS milliseconds;</li>
 *   <li>{@code /hold} answers only when {@link #releaseHeld()} is called;</li>
 *   <li>{@code /reset} closes the connection without an answer;</li>
 *   <li>anything else answers {@code name} in the body and an {@code X-Backend} header.</li>
 * </ul>
 * Every request head it receives is recorded ({@link #requests()}), and every accepted connection counted.
 */
public final class TestBackend implements AutoCloseable {

    /** A request as the backend saw it. */
    public record Seen(String method, String uri, Map<String, List<String>> headers, long bodyBytes) {
        public String header(String name) {
            List<String> v = headers.get(name.toLowerCase());
            return v == null ? null : v.get(0);
        }
    }

    private final String name;
    private final String host;
    private final EventLoopGroup group;
    private final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger peakInFlight = new AtomicInteger();
    private volatile CountDownLatch hold = new CountDownLatch(1);
    private volatile Channel server;
    private int port;

    public TestBackend(String name) {
        this(name, "127.0.0.1");
    }

    /** A backend listening on {@code host} ("::1" for IPv6 loopback). */
    public TestBackend(String name, String host) {
        this.name = name;
        this.host = host;
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("backend-" + name, true),
                NioIoHandler.newFactory());
        start(0);
    }

    /** Binds (again) on {@code port}; 0 picks a free one the first time. */
    public synchronized void start(int wanted) {
        ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.incrementAndGet();
                        ch.pipeline().addLast(new HttpServerCodec(), new Handler());
                    }
                });
        server = b.bind(host, wanted).syncUninterruptibly().channel();
        port = ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Stops accepting (connections refused) until {@link #start(int)} with {@link #port()}. */
    public synchronized void stop() {
        server.close().syncUninterruptibly();
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public String address() {
        return new HostPort(host, port).toString();
    }

    public List<Seen> requests() {
        return List.copyOf(seen);
    }

    public int requestCount() {
        return seen.size();
    }

    public int connectionsAccepted() {
        return connections.get();
    }

    public int inFlight() {
        return inFlight.get();
    }

    /** The most requests it was ever answering at once. */
    public int peakInFlight() {
        return peakInFlight.get();
    }

    public void releaseHeld() {
        CountDownLatch h = hold;
        hold = new CountDownLatch(1);
        h.countDown();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        private HttpRequest request;
        private long body;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof HttpRequest r) {
                    request = r;
                    body = 0;
                    peakInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                    if (r.uri().equals("/reset")) {
                        seen.add(seen(r, 0));
                        inFlight.decrementAndGet();
                        ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
                        ctx.close();
                        request = null;
                        return;
                    }
                }
                if (msg instanceof HttpContent c) {
                    body += c.content().readableBytes();
                    if (msg instanceof LastHttpContent && request != null) {
                        HttpRequest r = request;
                        request = null;
                        seen.add(seen(r, body));
                        answer(ctx, r, body);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private Seen seen(HttpRequest r, long bodyBytes) {
            Map<String, List<String>> headers = new TreeMap<>();
            for (String n : r.headers().names()) {
                headers.put(n.toLowerCase(), r.headers().getAll(n));
            }
            return new Seen(r.method().name(), r.uri(), headers, bodyBytes);
        }

        private void answer(ChannelHandlerContext ctx, HttpRequest r, long bodyBytes) {
            String uri = r.uri();
            boolean keepAlive = HttpUtil.isKeepAlive(r);
            if (uri.startsWith("/bytes/")) {
                stream(ctx, Long.parseLong(uri.substring(7)), keepAlive);
            } else if (uri.startsWith("/status/")) {
                send(ctx, HttpResponseStatus.valueOf(Integer.parseInt(uri.substring(8))), name, keepAlive);
            } else if (uri.startsWith("/slow/")) {
                long ms = Long.parseLong(uri.substring(6));
                ctx.executor().schedule(() -> send(ctx, HttpResponseStatus.OK, name, keepAlive), ms, TimeUnit.MILLISECONDS);
            } else if (uri.equals("/hold")) {
                CountDownLatch h = hold;
                Thread waiter = new Thread(() -> {
                    try {
                        h.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException ignored) {
                        Thread.currentThread().interrupt();
                    }
                    ctx.executor().execute(() -> send(ctx, HttpResponseStatus.OK, name, keepAlive));
                });
                waiter.setDaemon(true);
                waiter.start();
            } else if (uri.equals("/upload")) {
                send(ctx, HttpResponseStatus.OK, Long.toString(bodyBytes), keepAlive);
            } else {
                send(ctx, HttpResponseStatus.OK, name, keepAlive);
            }
        }

        private void send(ChannelHandlerContext ctx, HttpResponseStatus status, String text, boolean keepAlive) {
            ByteBuf body = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
            HttpHeaders h = res.headers();
            h.setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            h.set("X-Backend", name);
            h.set(HttpHeaderNames.CONNECTION, "keep-alive");
            h.set("Keep-Alive", "timeout=60");
            if (!keepAlive) {
                h.set(HttpHeaderNames.CONNECTION, "close");
            }
            inFlight.decrementAndGet();
            var f = ctx.writeAndFlush(res);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }

        /** Writes {@code total} bytes in 64 KiB chunks, each only when the channel can take it. */
        private void stream(ChannelHandlerContext ctx, long total, boolean keepAlive) {
            HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            HttpUtil.setTransferEncodingChunked(head, true);
            head.headers().set("X-Backend", name);
            ctx.write(head);
            new Object() {
                long left = total;

                void pump() {
                    while (left > 0 && ctx.channel().isWritable()) {
                        int n = (int) Math.min(65536, left);
                        left -= n;
                        ByteBuf chunk = ctx.alloc().buffer(n);
                        chunk.writerIndex(n);
                        ctx.write(new DefaultHttpContent(chunk));
                    }
                    if (left == 0) {
                        inFlight.decrementAndGet();
                        var f = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                        if (!keepAlive) {
                            f.addListener(ChannelFutureListener.CLOSE);
                        }
                        return;
                    }
                    ctx.flush();
                    if (!ctx.channel().isActive()) {
                        return;
                    }
                    ctx.executor().schedule(this::pump, 1, TimeUnit.MILLISECONDS);
                }
            }.pump();
        }
    }
}
