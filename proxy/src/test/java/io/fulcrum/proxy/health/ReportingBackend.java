package io.fulcrum.proxy.health;

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
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend on 127.0.0.1, port 0, that answers health probes the way SPEC section 5 reads them:
 * {@code GET /healthz} answers {@link #healthStatus} with an {@code endpoint-load-metrics} header built
 * from {@link #cpu} (none while it is negative). Every other request answers {@link #trafficStatus} with
 * the backend's name as body, and is counted in {@link #requests} (probes are counted apart, in
 * {@link #probes}), so a test can tell traffic from probing.
 */
final class ReportingBackend implements AutoCloseable {

    static final String PROBE_PATH = "/healthz";

    final String name;
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger probes = new AtomicInteger();
    volatile int healthStatus = 200;
    volatile int trafficStatus = 200;
    /** ORCA cpu_utilization sent on every probe answer; negative = no report header. */
    volatile double cpu = -1;

    private final EventLoopGroup group;
    private final Channel server;

    ReportingBackend(String name) {
        this.name = name;
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("backend-" + name, true),
                NioIoHandler.newFactory());
        this.server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(65536), new Handler());
                    }
                })
                .bind("127.0.0.1", 0).syncUninterruptibly().channel();
    }

    String address() {
        return "127.0.0.1:" + ((InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            boolean probe = req.uri().equals(PROBE_PATH);
            int status;
            if (probe) {
                probes.incrementAndGet();
                status = healthStatus;
            } else {
                requests.incrementAndGet();
                status = trafficStatus;
            }
            ByteBuf body = Unpooled.copiedBuffer(name, StandardCharsets.UTF_8);
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                    body);
            res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            double c = cpu;
            if (probe && c >= 0) {
                res.headers().set("endpoint-load-metrics", "TEXT cpu_utilization=" + c);
            }
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            var f = ctx.writeAndFlush(res);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
