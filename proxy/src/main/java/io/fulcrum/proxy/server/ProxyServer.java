package io.fulcrum.proxy.server;

import io.fulcrum.proxy.config.HostPort;
import io.fulcrum.proxy.upstream.Transport;
import io.fulcrum.proxy.upstream.UpstreamConnections;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.fulcrum.proxy.http1.RequestParser;
import io.fulcrum.proxy.server.tls.ProtocolSwitch;
import io.fulcrum.proxy.server.tls.TlsContexts;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.SniHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The traffic side: the event loops, the listeners bound on them, and the client pipeline.
 * Listeners are bound and unbound one by one so a reload can add or remove some and keep the rest
 * (with their sockets and open connections).
 */
public final class ProxyServer {

    private static final Logger log = LoggerFactory.getLogger(ProxyServer.class);

    private final Transport transport;
    private final EventLoopGroup workers;
    private final UpstreamConnections upstream;
    private final ClientConnections clients;
    private final Map<String, Channel> bound = new ConcurrentHashMap<>();

    /** @param threads traffic event loops; 0 = one per CPU core */
    public ProxyServer(int threads, int maxConnections) {
        this.transport = Transport.best();
        this.workers = transport.newGroup(threads, "fulcrum-io");
        this.upstream = new UpstreamConnections(workers, transport);
        this.clients = new ClientConnections(maxConnections);
    }

    public String transportName() {
        return transport.name();
    }

    /** The transport of its event loops, for other parts of the daemon that open sockets (health probes). */
    public Transport transport() {
        return transport;
    }

    public UpstreamConnections upstream() {
        return upstream;
    }

    public ClientConnections clients() {
        return clients;
    }

    /**
     * Binds a listener; blocks until bound (call off the event loops). Throws with the address named
     * when the port cannot be had.
     */
    public InetSocketAddress bind(ListenerContext listener, HostPort address) {
        ConnectionGate gate = new ConnectionGate(listener);
        InetSocketAddress bindTo = address.resolve();
        ServerBootstrap b = new ServerBootstrap()
                // Accepting on the traffic loops: a connection accepted on a separate thread costs a
                // cross-thread registration (and a wake-up) each; with one thread it costs nothing.
                .group(workers, workers)
                .channelFactory(transport.serverChannelFor(bindTo))
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, transport.allocator())
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, transport.clientReads())
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        initClient(ch.pipeline(), listener, gate);
                    }
                });
        try {
            Channel ch = b.bind(bindTo).sync().channel();
            bound.put(listener.name(), ch);
            InetSocketAddress local = (InetSocketAddress) ch.localAddress();
            log.info("listener {} bound to {} ({})", listener.name(), local, transport.name());
            return local;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding " + address, e);
        } catch (Exception e) {
            throw new IllegalStateException("listener " + listener.name() + ": cannot bind " + address + ": "
                    + e.getMessage(), e);
        }
    }

    private static void initClient(ChannelPipeline p, ListenerContext listener, ConnectionGate gate) {
        p.addLast("gate", gate);
        TlsContexts tls = listener.tls();
        if (tls == null) {
            http1(p, listener);
            return;
        }
        p.addLast("tls", new SniHandler(tls.mapping()));
        p.addLast("alpn", new ProtocolSwitch(ctx -> http1(ctx.pipeline(), listener), ctx -> http2(ctx, listener)));
        // Auto-read is off: drive the handshake until ALPN has picked the protocol.
        p.addLast("handshake-read", new HandshakeReader());
    }

    private static void removeHandshakeReader(ChannelPipeline p) {
        if (p.get(HandshakeReader.class) != null) {
            p.remove(HandshakeReader.class);
        }
    }

    /** The HTTP/1.1 pipeline, on a plain connection or after TLS. */
    private static void http1(ChannelPipeline p, ListenerContext listener) {
        removeHandshakeReader(p);
        ClientHandler handler = new ClientHandler(listener);
        var limits = listener.limits();
        // The request line holds the method and version besides the URI; over-long URIs get 414.
        p.addLast("decoder", new RequestParser(limits.maxUriBytes() + 64, limits.maxHeaderBytes(), handler::bytesArrived));
        p.addLast("client", handler);
    }

    /**
     * HTTP/2 after ALPN: every stream is a child channel carrying HTTP/1-style objects through the same
     * {@link ClientHandler} as HTTP/1.1, so routing, forwarding and errors are one code path. The
     * connection reads freely; each stream reads only when its exchange asks, so HTTP/2 flow control
     * (window updates follow what a stream consumed) is the backpressure.
     */
    private static void http2(ChannelHandlerContext ctx, ListenerContext listener) {
        ChannelPipeline p = ctx.pipeline();
        removeHandshakeReader(p);
        Http2FrameCodec codec = Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(250)
                        .maxHeaderListSize(listener.limits().maxHeaderBytes()))
                .build();
        p.addLast("idle", new IdleStateHandler(listener.timeouts().clientIdle().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
        p.addLast("h2", codec);
        p.addLast("h2-idle", new Http2IdleCloser(codec));
        p.addLast("h2-streams", new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                stream.config().setAutoRead(false);
                stream.pipeline().addLast("h2-http", new Http2StreamFrameToHttpObjectCodec(true));
                stream.pipeline().addLast("h2-requests", new Http2Requests(listener.limits()));
                stream.pipeline().addLast("client", new ClientHandler(listener));
            }
        }));
        ctx.channel().config().setAutoRead(true);
    }

    /** Stops accepting on a listener; its open connections go on. */
    public void unbind(String name) {
        Channel ch = bound.remove(name);
        if (ch != null) {
            if (!ch.close().awaitUninterruptibly(5, TimeUnit.SECONDS)) {
                log.warn("listener {}: its socket did not close within 5s", name);
            }
            log.info("listener {} stopped accepting", name);
        }
    }

    public boolean isBound(String name) {
        return bound.containsKey(name);
    }

    /**
     * Graceful stop (SPEC section 2): stop accepting, let in-flight requests finish for up to
     * {@code grace}, then close what is left and stop the event loops.
     */
    public void shutdown(Duration grace) {
        // Before the sockets close, so that no response sent from now on invites another request.
        clients.stopKeepAlive();
        for (String name : bound.keySet()) {
            unbind(name);
        }
        clients.beginShutdown();
        long deadline = System.nanoTime() + grace.toNanos();
        while (clients.count() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (clients.count() > 0) {
            log.warn("shutdown grace ran out with {} client connections open; closing them", clients.count());
        }
        clients.closeAll();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
