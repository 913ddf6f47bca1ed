package io.fulcrum.health;

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
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real HTTP backend on 127.0.0.1, port 0, for probe tests. Answers every request with {@link #status},
 * an optional {@code endpoint-load-metrics} header and a 16 KiB body (which the probe must drop
 * without leaking), keeping connections alive unless told otherwise. Records the probes' Host and
 * User-Agent and counts requests and connections.
 */
final class TestHttpBackend implements AutoCloseable {

    final AtomicInteger status = new AtomicInteger(200);
    final AtomicReference<String> loadHeader = new AtomicReference<>();
    /** Answer with {@code Connection: close} and close. */
    final AtomicBoolean closeAfterAnswer = new AtomicBoolean();
    /** Close a connection without answering when a second request arrives on it (an idle close racing it). */
    final AtomicBoolean dropReusedConnections = new AtomicBoolean();
    final AtomicInteger droppedRequests = new AtomicInteger();
    /** Answer this long after the request. */
    final AtomicInteger answerDelayMillis = new AtomicInteger();
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger openConnections = new AtomicInteger();
    final AtomicInteger acceptedConnections = new AtomicInteger();
    final AtomicReference<String> lastHost = new AtomicReference<>();
    final AtomicReference<String> lastUserAgent = new AtomicReference<>();
    final AtomicReference<String> lastUri = new AtomicReference<>();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;

    TestHttpBackend() throws InterruptedException {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        openConnections.incrementAndGet();
                        acceptedConnections.incrementAndGet();
                        ch.closeFuture().addListener(f -> openConnections.decrementAndGet());
                        ch.pipeline().addLast(new HttpServerCodec(), new Handler());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    String id() {
        return "127.0.0.1:" + address().getPort();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS).syncUninterruptibly();
    }

    private final class Handler extends SimpleChannelInboundHandler<HttpObject> {
        private int requestsOnThisConnection;

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
            if (msg instanceof HttpRequest && ++requestsOnThisConnection > 1 && dropReusedConnections.get()) {
                droppedRequests.incrementAndGet();
                ctx.close();
                return;
            }
            if (!ctx.channel().isActive()) {
                return; // the rest of a dropped request
            }
            if (msg instanceof HttpRequest req) {
                lastHost.set(req.headers().get(HttpHeaderNames.HOST));
                lastUserAgent.set(req.headers().get(HttpHeaderNames.USER_AGENT));
                lastUri.set(req.uri());
            }
            if (msg instanceof LastHttpContent) {
                requests.incrementAndGet();
                ByteBuf body = Unpooled.wrappedBuffer(new byte[16 * 1024]);
                FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                        HttpResponseStatus.valueOf(status.get()), body);
                res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
                String load = loadHeader.get();
                if (load != null) {
                    res.headers().set("endpoint-load-metrics", load);
                }
                boolean close = closeAfterAnswer.get();
                if (close) {
                    res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                }
                Runnable answer = () -> {
                    var written = ctx.writeAndFlush(res);
                    if (close) {
                        written.addListener(ChannelFutureListener.CLOSE);
                    }
                };
                int delay = answerDelayMillis.get();
                if (delay > 0) {
                    ctx.executor().schedule(answer, delay, TimeUnit.MILLISECONDS);
                } else {
                    answer.run();
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a probe that timed out closes its connection: resets here are expected
        }
    }
}
