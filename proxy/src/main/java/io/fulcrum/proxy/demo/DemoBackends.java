package io.fulcrum.proxy.demo;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Three small HTTP servers for {@code fulcrum demo}, on 127.0.0.1:9001-9003. Each names itself in its
 * answers and reports a CPU figure on {@code /healthz} in the ORCA {@code endpoint-load-metrics}
 * header, so the daemon's dynamic weights have something to act on: demo-1 runs cool, demo-2 warm,
 * demo-3 hot, and each figure drifts slowly over time.
 */
public final class DemoBackends implements AutoCloseable {

    /** One demo server and what it has served. */
    public static final class DemoBackend {
        final String name;
        final int port;
        final double baseCpu;
        final AtomicLong served = new AtomicLong();
        final long startNanos = System.nanoTime();

        DemoBackend(String name, int port, double baseCpu) {
            this.name = name;
            this.port = port;
            this.baseCpu = baseCpu;
        }

        public String name() {
            return name;
        }

        public int port() {
            return port;
        }

        public long served() {
            return served.get();
        }

        /** The CPU figure it reports now: its base, plus a slow drift of ±0.1 over a minute. */
        public double cpu() {
            double t = (System.nanoTime() - startNanos) / 1e9;
            return Math.max(0.01, Math.min(0.99, baseCpu + 0.1 * Math.sin(2 * Math.PI * t / 60 + port)));
        }
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("demo-backends", true),
            NioIoHandler.newFactory());
    private final List<DemoBackend> backends = new ArrayList<>();
    private final List<Channel> channels = new ArrayList<>();

    /** Starts the three servers; throws if a port is taken. */
    public static DemoBackends start(String host, int firstPort) throws InterruptedException {
        DemoBackends d = new DemoBackends();
        double[] cpu = {0.20, 0.45, 0.85};
        try {
            for (int i = 0; i < 3; i++) {
                d.add(new DemoBackend("demo-" + (i + 1), firstPort + i, cpu[i]), host);
            }
        } catch (RuntimeException | InterruptedException e) {
            d.close();
            throw e;
        }
        return d;
    }

    public List<DemoBackend> backends() {
        return backends;
    }

    private void add(DemoBackend b, String host) throws InterruptedException {
        ServerBootstrap sb = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20), new Handler(b));
                    }
                });
        try {
            channels.add(sb.bind(host, b.port).sync().channel());
        } catch (Exception e) {
            if (e instanceof InterruptedException ie) {
                throw ie;
            }
            throw new IllegalStateException("demo backend " + b.name + " cannot bind " + host + ":" + b.port
                    + ": " + e.getMessage(), e);
        }
        backends.add(b);
    }

    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final DemoBackend b;

        Handler(DemoBackend b) {
            this.b = b;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            String text;
            FullHttpResponse res;
            if (req.uri().startsWith("/healthz")) {
                text = "ok\n";
                res = response(text);
                res.headers().set("endpoint-load-metrics",
                        String.format(Locale.ROOT, "TEXT cpu_utilization=%.3f", b.cpu()));
            } else {
                b.served.incrementAndGet();
                text = "hello from " + b.name + " (127.0.0.1:" + b.port + ")\n";
                res = response(text);
            }
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            HttpUtil.setKeepAlive(res, keepAlive);
            var f = ctx.writeAndFlush(res);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }

        private static FullHttpResponse response(String text) {
            ByteBuf body = Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            return res;
        }
    }

    @Override
    public void close() {
        for (Channel ch : channels) {
            ch.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
